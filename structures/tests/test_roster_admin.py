"""The staff list's page in the admin (``/admin/structures/structure/<id>/liste-du-personnel/``):
a manager or staff uploads the list, simulates or imports it and reads the report; another
structure's manager finds nothing; odd input gets a French message, never an error page. And
on the structure's page, managers change the list's three settings and nothing else."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Event
from ceplus.tests.factories import RosterEntryFactory
from structures.models import RosterEntry, RosterImport, Structure
from structures.tests.test_admin_french import english_in
from structures.tests.test_structure_logo import form_data as staff_form

HEADER = "nom;prénom;email;matricule;date d'entrée;date de sortie\n"
MARIE = "Martin;Marie;marie.martin@example.org;A0042;01/09/2019;\n"
JEAN = "Durand;Jean;jean.durand@example.org;A0107;15/01/2024;30/06/2026\n"
MISSING = 999_999


def page_url(structure_or_id) -> str:
    pk = getattr(structure_or_id, "pk", structure_or_id)
    return f"/admin/structures/structure/{pk}/liste-du-personnel/"


def change_url(structure) -> str:
    return f"/admin/structures/structure/{structure.pk}/change/"


def csv_file(content, name: str = "personnel.csv") -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def text(response) -> str:
    """The page as a person reads it: entities turned back into characters."""
    return unescape(response.content.decode())


def post(client, structure, content, action: str = "importer", **extra):
    return client.post(page_url(structure), {"file": csv_file(content), "action": action, **extra})


@pytest.mark.django_db
def test_a_manager_uploads_the_list_and_reads_the_report(client_a, structure_a, manager_a):
    page = client_a.get(page_url(structure_a))
    assert page.status_code == 200
    assert "<title>Liste du personnel de CSE Textiles de Sausheim" in page.text
    assert 'value="simuler"' in page.text
    assert 'value="importer"' in page.text
    assert "Martin;Marie;marie.martin@example.org;A0042;01/09/2019;" in page.text  # the example
    assert "Aucune liste importée pour l'instant." in text(page)

    response = post(client_a, structure_a, HEADER + MARIE + "Roy;Inès;ines@;;;\n" + JEAN)

    assert response.status_code == 200
    shown = text(response)
    assert "La liste du personnel est importée" in shown
    assert "2 ajoutées, 0 modifiée, 0 retirée, 0 inchangée, 1 ligne rejetée (3 lignes lues)." in shown
    assert "2 personnes ajoutées" in shown
    assert "Marie Martin (marie.martin@example.org)" in shown
    assert "ligne 3 : adresse email invalide : « ines@ »" in shown
    assert "2 personnes sur la liste" in shown
    assert "<td>A0042</td>" in shown  # the current list
    assert "<td>30/06/2026</td>" in shown
    upload = RosterImport.objects.get()
    assert (upload.structure, upload.uploaded_by, upload.file_name) == (
        structure_a,
        manager_a,
        "personnel.csv",
    )
    assert upload.rejected_lines == [[3, "adresse email invalide : « ines@ »"]]
    assert RosterEntry.objects.filter(structure=structure_a).count() == 2
    assert Event.objects.get(kind=Event.Kind.ROSTER_IMPORTED).acting_user == manager_a

    # The history, on the next visit.
    again = client_a.get(page_url(structure_a)).text
    assert "Derniers imports" in again
    assert "personnel.csv" in again
    assert manager_a.get_full_name() in again


@pytest.mark.django_db
def test_the_page_speaks_french_only(client_a, structure_a):
    post(client_a, structure_a, HEADER + MARIE + JEAN)
    pages = [
        client_a.get(page_url(structure_a)),
        post(client_a, structure_a, HEADER + MARIE + "X;Y;z@;;;\n", action="simuler"),
        client_a.post(page_url(structure_a), {"action": "importer"}),
    ]
    for response in pages:
        assert response.status_code == 200
        assert english_in(response.text) == []


@pytest.mark.django_db
def test_staff_upload_any_structures_list(client, staff, structure_b):
    client.force_login(staff)
    response = post(client, structure_b, HEADER + MARIE)
    assert "1 ajoutée" in response.text
    assert RosterImport.objects.get().uploaded_by == staff


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["simuler", "", "n'importe quoi"])
def test_simulating_reports_and_writes_nothing(client_a, structure_a, action):
    RosterEntryFactory(structure=structure_a, email="jean.durand@example.org", last_name="Durand")
    before = list(RosterEntry.objects.values())

    response = post(client_a, structure_a, HEADER + MARIE, action=action)

    assert response.status_code == 200
    assert "Simulation : rien n'a été enregistré" in text(response)
    assert "1 ajoutée, 0 modifiée, 1 retirée" in response.text
    assert list(RosterEntry.objects.values()) == before
    assert not RosterImport.objects.exists()
    assert not Event.objects.filter(kind=Event.Kind.ROSTER_IMPORTED).exists()


@pytest.mark.django_db
def test_unreadable_lines_say_that_nobody_was_taken_off(client_a, structure_a):
    post(client_a, structure_a, HEADER + MARIE + JEAN)
    response = post(client_a, structure_a, HEADER + MARIE + "X;Y;pas-une-adresse;;;\n")
    assert "1 personne absente du fichier reste sur la liste : des lignes n'ont pas pu être lues." in text(
        response
    )
    assert not RosterEntry.objects.filter(removed_at__isnull=False).exists()


@pytest.mark.django_db
def test_another_structures_manager_finds_nothing(client_a, structure_b, manager_b):
    RosterEntryFactory(structure=structure_b, email="secret.b@example.org", last_name="Klein")
    missing = client_a.get(page_url(MISSING))
    assert missing.status_code == 302

    client_a.get(missing["Location"])  # reads its message

    requests = [
        lambda: client_a.get(page_url(structure_b)),
        lambda: post(client_a, structure_b, HEADER + MARIE),
        lambda: post(client_a, structure_b, HEADER + MARIE, action="simuler"),
    ]
    for request in requests:
        response = request()
        assert response.status_code == 302
        assert response["Location"] == missing["Location"]
        page = client_a.get(response["Location"]).text
        assert "existe pas" in page
        assert "Klein" not in page
    assert list(RosterEntry.objects.values_list("email", flat=True)) == ["secret.b@example.org"]
    assert not RosterImport.objects.exists()


@pytest.mark.django_db
def test_members_and_anonymous_visitors_are_sent_to_the_login(client, structure_a, member_a):
    response = client.get(page_url(structure_a))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(member_a)
    response = post(client, structure_a, HEADER + MARIE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not RosterEntry.objects.exists()


@pytest.mark.django_db
def test_the_upload_needs_the_csrf_token(manager_a, structure_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_a)
    response = post(client, structure_a, HEADER + MARIE)
    assert response.status_code == 403
    assert not RosterEntry.objects.exists()


@pytest.mark.django_db
def test_a_too_large_file_gets_a_french_message_and_is_not_read(client_a, structure_a, monkeypatch):
    monkeypatch.setattr("structures.admin.member_import.MAX_UPLOAD_BYTES", 1000)
    response = post(client_a, structure_a, HEADER + MARIE * 50)
    assert response.status_code == 200
    assert "<title>Erreur :" in response.text
    assert "Il y a un problème" in response.text
    assert "Le fichier dépasse 5 Mo : gardez seulement les colonnes utiles" in response.text
    assert not RosterEntry.objects.exists()
    assert not RosterImport.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_lists_limit_gets_the_same_message(client_a, structure_a, monkeypatch):
    monkeypatch.setattr("structures.roster.files.MAX_BYTES", 2 * 1024 * 1024)
    big = HEADER + "".join(f"Nom{i};Prénom;p{i}@example.org;;;\n" for i in range(70_000))
    response = post(client_a, structure_a, big)
    assert "<title>Erreur :" in response.text
    assert "Le fichier dépasse 2 Mo" in response.text
    assert not RosterEntry.objects.exists()


@pytest.mark.django_db
def test_the_upload_never_touches_the_disk(client_a, structure_a, settings, monkeypatch):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10

    def no_disk(*args, **kwargs):
        raise AssertionError("the upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryFileUploadHandler.new_file", no_disk)
    response = post(client_a, structure_a, HEADER + MARIE + JEAN)
    assert "2 ajoutées" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "importer"}, "Choisissez le fichier CSV de la liste du personnel."),
        ({"file": csv_file(b""), "action": "importer"}, "Le fichier est vide : choisissez le fichier"),
        ({"file": csv_file(bytes(range(256)) * 8), "action": "importer"}, "pas un fichier CSV"),
        (
            {"file": csv_file(bytes(range(1, 256)) * 8), "action": "importer"},
            "ni en UTF-8 ni en Windows-1252",
        ),
        (
            {"file": csv_file(b"\xd0\xcf\x11\xe0\xa1\xb1", "liste.xls"), "action": "importer"},
            "classeur Excel",
        ),
        (
            {"file": csv_file("Bonjour,\nvoici la liste.\n"), "action": "importer"},
            "Colonnes obligatoires absentes",
        ),
        ({"file": csv_file(HEADER), "action": "\x00"}, "ne contient personne sous sa ligne"),
        ({"file": csv_file('email;nom;prénom\n"' + "x" * 200_000), "action": "importer"}, "mal formé"),
        ({"file": [csv_file(HEADER + MARIE), csv_file(HEADER + JEAN)], "action": "importer"}, "1 ajoutée"),
    ],
    ids=[
        "no-file",
        "empty",
        "binary",
        "garbage",
        "xls",
        "prose",
        "header-only",
        "unclosed-quote",
        "two-files",
    ],
)
def test_odd_uploads_get_a_french_message_never_an_error(client_a, structure_a, data, message):
    response = client_a.post(page_url(structure_a), data)
    assert response.status_code == 200
    assert message in text(response)
    if "ajoutée" not in message:
        assert "<title>Erreur :" in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'href="#id_file"' in response.text  # the error summary leads to the field
        assert not RosterEntry.objects.exists()
        assert not RosterImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?page=abc", "?page=%00", "?page=-1", "?page=99999", "?page=1e9"])
def test_odd_page_numbers_show_a_page(client_a, structure_a, query):
    RosterEntryFactory.create_batch(3, structure=structure_a)
    response = client_a.get(page_url(structure_a) + query)
    assert response.status_code == 200
    assert "3 personnes sur la liste" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client_a, structure_a, method):
    assert getattr(client_a, method)(page_url(structure_a)).status_code == 405


@pytest.mark.django_db
def test_the_list_is_paginated_with_who_is_gone(client_a, structure_a):
    from django.utils import timezone

    for number in range(55):
        RosterEntryFactory(
            structure=structure_a, last_name=f"Nom{number:02d}", email=f"p{number}@example.org"
        )
    RosterEntry.objects.filter(last_name="Nom00").update(removed_at=timezone.now())
    first = client_a.get(page_url(structure_a)).text
    assert "54 personnes sur la liste — 1 absente de la dernière liste" in first
    assert "Page 1 sur 2" in first
    assert "<td>Nom00</td>" in first
    assert f"<td>{timezone.localdate():%d/%m/%Y}</td>" in first
    assert "<td>Nom54</td>" not in first
    second = client_a.get(page_url(structure_a) + "?page=2").text
    assert "<td>Nom54</td>" in second
    assert "<td>Nom00</td>" not in second


# --- The structure's page: the summary, the link and the three settings -----------------------


@pytest.mark.django_db
def test_the_structure_page_links_to_the_list_and_sums_it_up(client_a, structure_a, manager_a):
    page = client_a.get(change_url(structure_a)).text
    assert f'href="{page_url(structure_a)}"' in page
    assert "Aucune liste importée." in page
    post(client_a, structure_a, HEADER + MARIE + JEAN)
    page = client_a.get(change_url(structure_a)).text
    assert "2 personnes sur la liste, dernier import le" in page
    assert f"par {manager_a.get_full_name()}." in page


def manager_form(**overrides) -> dict:
    """What a manager's browser posts, plus fields a forged request adds."""
    data = {
        "roster_auto_approve": "on",
        "roster_auto_deactivate": "on",
        "reminder_delay_days": "3",
        # Not on a manager's form: a forged POST must not change them.
        "name": "Piratée",
        "kind": "employer",
        "notification": "daily",
        "contact_email": "pirate@example.org",
        "allowed_beneficiary_kinds": ["child"],
        "child_age_limit": "3",
        "new_manager_email": "intrus@example.org",
        "new_manager_first_name": "In",
        "new_manager_last_name": "Trus",
        "managers_kept": [],
        "logo_remove": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_manager_changes_the_three_settings_and_nothing_else(client_a, structure_a, manager_a):
    page = client_a.get(change_url(structure_a)).text
    for name in ("roster_auto_approve", "roster_auto_deactivate", "reminder_delay_days"):
        assert f'name="{name}"' in page
    for name in ("name", "kind", "notification", "contact_email", "child_age_limit"):
        assert f'name="{name}"' not in page
    before = Structure.objects.filter(pk=structure_a.pk).values().get()

    response = client_a.post(change_url(structure_a), manager_form())

    assert response.status_code == 302, response.text[:3000]
    after = Structure.objects.filter(pk=structure_a.pk).values().get()
    assert (after["roster_auto_approve"], after["roster_auto_deactivate"], after["reminder_delay_days"]) == (
        True,
        True,
        3,
    )
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {"roster_auto_approve", "roster_auto_deactivate", "reminder_delay_days"}
    assert list(structure_a.managers.all()) == [manager_a]
    event = Event.objects.get(kind=Event.Kind.STRUCTURE_CHANGED)
    assert event.acting_user == manager_a
    assert len(event.changes) == 3


@pytest.mark.django_db
def test_a_manager_cannot_change_another_structures_settings(client_a, structure_b):
    response = client_a.post(change_url(structure_b), manager_form())
    assert response.status_code == 302
    structure_b.refresh_from_db()
    assert not structure_b.roster_auto_approve
    assert structure_b.reminder_delay_days == 7


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "0", "91", "abc", "\x00"])
def test_a_reminder_delay_outside_1_to_90_days_is_refused(client_a, structure_a, value):
    response = client_a.post(change_url(structure_a), manager_form(reminder_delay_days=value))
    assert response.status_code == 200
    assert "Saisissez un nombre de jours entre 1 et 90, par exemple 7." in response.text or (
        "Saisissez un nombre entier." in response.text
    )
    structure_a.refresh_from_db()
    assert structure_a.reminder_delay_days == 7
    assert not structure_a.roster_auto_approve


@pytest.mark.django_db
def test_staff_change_the_settings_too(client, staff, structure_a):
    client.force_login(staff)
    page = client.get(change_url(structure_a)).text
    assert 'name="reminder_delay_days"' in page
    response = client.post(
        change_url(structure_a),
        staff_form(
            structure_a, roster_auto_approve="on", reminder_delay_days="30", contact_phone="03 89 00 00 00"
        ),
    )
    assert response.status_code == 302, response.text[:3000]
    structure_a.refresh_from_db()
    assert (structure_a.roster_auto_approve, structure_a.roster_auto_deactivate) == (True, False)
    assert structure_a.reminder_delay_days == 30
    assert structure_a.contact_phone == "03 89 00 00 00"


@pytest.mark.django_db
def test_a_form_without_the_delay_keeps_it(client, staff, structure_a):
    """A form that does not show the delay (an older page) leaves it as it is."""
    structure_a.reminder_delay_days = 12
    structure_a.save()
    client.force_login(staff)
    response = client.post(change_url(structure_a), staff_form(structure_a, contact_hours="9 h - 12 h"))
    assert response.status_code == 302, response.text[:3000]
    structure_a.refresh_from_db()
    assert (structure_a.reminder_delay_days, structure_a.contact_hours) == (12, "9 h - 12 h")


@pytest.mark.django_db
def test_staff_set_the_settings_when_creating_a_structure(client, staff):
    client.force_login(staff)
    response = client.post(
        "/admin/structures/structure/add/",
        {
            **staff_form(Structure(name="Mairie de Sausheim")),
            "allowed_beneficiary_kinds": ["child"],
            "roster_auto_deactivate": "on",
            "reminder_delay_days": "14",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    structure = Structure.objects.get(name="Mairie de Sausheim")
    assert (structure.roster_auto_deactivate, structure.reminder_delay_days) == (True, 14)
