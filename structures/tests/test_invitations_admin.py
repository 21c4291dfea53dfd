"""Invitations in the admin: the structure's shared link (copy, expiry, regenerate, revoke) and
personal invitations from a pasted list or a CSV file, with their report, resending and status."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceplus.tests.factories import InvitationFactory, MemberFactory
from structures.models import Invitation
from structures.services import shared_invitation_get_or_create


def page_url(structure):
    return f"/admin/structures/structure/{structure.pk}/invitations/"


def send(client, structure, capture, **data):
    with capture(execute=True):
        return client.post(f"{page_url(structure)}envoyer/", {"validity": "30", **data}, follow=True)


@pytest.mark.django_db
def test_the_page_shows_the_shared_link_with_a_copy_button(client_a, structure_a):
    shared = shared_invitation_get_or_create(structure=structure_a)
    page = client_a.get(page_url(structure_a)).text
    assert f'value="http://testserver/inscription/{shared.token}/"' in page
    assert 'data-copy-target="shared-link"' in page
    assert "js/admin-invitations.js" in page
    assert "<script>" not in page.split("<body")[1]  # no inline script (CSP)
    assert "sans date d&#x27;expiration" in page or "sans date d'expiration" in page


@pytest.mark.django_db
def test_set_and_remove_the_expiry_of_the_shared_link(client_a, structure_a):
    shared = shared_invitation_get_or_create(structure=structure_a)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client_a.post(
        f"{page_url(structure_a)}lien/", {"operation": "expiry", "expires_on": day.isoformat()}, follow=True
    )
    assert (
        f"jusqu&#x27;au {day:%d/%m/%Y} inclus" in response.text
        or f"jusqu'au {day:%d/%m/%Y} inclus" in response.text
    )
    shared.refresh_from_db()
    assert timezone.localtime(shared.expires_at).date() == day + datetime.timedelta(days=1)
    assert shared.is_usable

    client_a.post(f"{page_url(structure_a)}lien/", {"operation": "expiry", "expires_on": ""})
    shared.refresh_from_db()
    assert shared.expires_at is None


@pytest.mark.django_db
def test_a_past_expiry_date_is_refused(client_a, structure_a):
    shared = shared_invitation_get_or_create(structure=structure_a)
    response = client_a.post(
        f"{page_url(structure_a)}lien/", {"operation": "expiry", "expires_on": "01/01/2020"}, follow=True
    )
    assert "Choisissez aujourd&#x27;hui ou une date future." in response.text
    shared.refresh_from_db()
    assert shared.expires_at is None


@pytest.mark.django_db
def test_regenerate_kills_the_old_link(client, client_a, structure_a):
    old = shared_invitation_get_or_create(structure=structure_a)
    client_a.post(f"{page_url(structure_a)}lien/", {"operation": "regenerate"})
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = structure_a.invitations.get(kind=Invitation.Kind.SHARED, revoked_at__isnull=True)
    assert new.token != old.token
    assert client.get(f"/inscription/{old.token}/").status_code == 410
    assert client.get(f"/inscription/{new.token}/").status_code == 200


@pytest.mark.django_db
def test_revoke_then_create_a_link(client, client_a, structure_a):
    old = shared_invitation_get_or_create(structure=structure_a)
    response = client_a.post(f"{page_url(structure_a)}lien/", {"operation": "revoke"}, follow=True)
    assert (
        "Créer un lien d&#x27;inscription" in response.text or "Créer un lien d'inscription" in response.text
    )
    assert client.get(f"/inscription/{old.token}/").status_code == 410
    client_a.post(f"{page_url(structure_a)}lien/", {"operation": "create"})
    assert structure_a.invitations.usable().filter(kind=Invitation.Kind.SHARED).count() == 1


@pytest.mark.django_db
def test_pasted_addresses_get_one_email_each_and_a_report(
    client, client_a, structure_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    MemberFactory(structure=structure_a, email="deja.inscrite@example.org")
    InvitationFactory(structure=structure_a, kind=Invitation.Kind.PERSONAL, email="deja.invitee@example.org")
    response = send(
        client_a,
        structure_a,
        django_capture_on_commit_callbacks,
        addresses=(
            "anne@example.org, bruno@example.org; Claire Dupont <Claire.Dupont@Example.org>\n"
            "pas-une-adresse\n"
            "ANNE@example.org\n"
            "deja.inscrite@example.org deja.invitee@example.org"
        ),
    )
    text = response.text
    assert "3 invitations envoyées." in text
    assert "En double dans la liste" in text
    assert "anne@example.org" in text
    assert "Déjà inscrites dans la structure, rien envoyé : deja.inscrite@example.org" in text
    assert "deja.invitee@example.org" in text
    assert "liste collée ligne 2 « pas-une-adresse »" in text

    assert sorted(m.to[0] for m in mailoutbox) == [
        "anne@example.org",
        "bruno@example.org",
        "claire.dupont@example.org",
    ]
    invitation = structure_a.invitations.get(email="claire.dupont@example.org")
    assert invitation.kind == Invitation.Kind.PERSONAL
    assert invitation.created_by == manager_a
    assert invitation.sent_at is not None
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=29)
    email = next(m for m in mailoutbox if m.to == ["claire.dupont@example.org"])
    link = f"http://testserver/inscription/{invitation.token}/"
    assert link in email.body
    assert link in email.alternatives[0][0]
    assert "CSE Textiles de Sausheim" in email.subject
    assert client.get(f"/inscription/{invitation.token}/").status_code == 200


@pytest.mark.django_db
def test_a_csv_file_is_read_with_its_header_bom_and_bad_lines(
    client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    content = (
        "\ufeffNom;Prénom;Email\nDurand;Éloïse;eloise.durand@example.org\nMartin;Luc;luc.martin@\nRoy;Inès;\n"
    )
    upload = SimpleUploadedFile("personnel.csv", content.encode("utf-8"), content_type="text/csv")
    response = send(client_a, structure_a, django_capture_on_commit_callbacks, csv_file=upload)
    assert "1 invitation envoyée." in response.text
    assert "fichier ligne 3 « luc.martin@ »" in response.text
    assert "fichier ligne 4 « Roy Inès »" in response.text
    assert [m.to for m in mailoutbox] == [["eloise.durand@example.org"]]


@pytest.mark.django_db
def test_an_excel_csv_in_windows_1252_is_read(
    client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    content = "Nom,Courriel\r\nHéloïse,heloise@example.org\r\n"
    upload = SimpleUploadedFile("liste.csv", content.encode("cp1252"), content_type="text/csv")
    send(client_a, structure_a, django_capture_on_commit_callbacks, csv_file=upload)
    assert [m.to for m in mailoutbox] == [["heloise@example.org"]]


@pytest.mark.django_db
def test_the_csv_never_touches_the_disk(
    client_a, structure_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Even a file bigger than Django's in-memory threshold stays in memory."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10

    def no_disk(*args, **kwargs):
        raise AssertionError("the upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryFileUploadHandler.new_file", no_disk)
    upload = SimpleUploadedFile("liste.csv", b"email\nune.personne@example.org\n", content_type="text/csv")
    response = send(client_a, structure_a, django_capture_on_commit_callbacks, csv_file=upload)
    assert "1 invitation envoyée." in response.text


@pytest.mark.django_db
def test_a_too_big_file_is_refused_with_a_message(client_a, structure_a, mailoutbox):
    upload = SimpleUploadedFile("enorme.csv", b"a@example.org\n" * 100_000, content_type="text/csv")
    response = client_a.post(f"{page_url(structure_a)}envoyer/", {"validity": "30", "csv_file": upload})
    assert response.status_code == 200
    assert "Le fichier dépasse 1 Mo" in response.text
    assert "<title>Erreur :" in response.text
    assert mailoutbox == []
    assert not structure_a.invitations.filter(kind=Invitation.Kind.PERSONAL).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Collez au moins une adresse email ou choisissez un fichier CSV."),
        ({"addresses": "rien de valable ici"}, "Aucune adresse email valide n&#x27;a été trouvée"),
    ],
)
def test_nothing_to_send_says_what_to_do(client_a, structure_a, data, message):
    response = client_a.post(f"{page_url(structure_a)}envoyer/", {"validity": "30", **data})
    assert response.status_code == 200
    assert message in response.text
    assert "rien de valable ici" in response.text or not data  # what was typed is kept


@pytest.mark.django_db
def test_resend_renews_an_expired_invitation(
    client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    expired = InvitationFactory(
        structure=structure_a,
        kind=Invitation.Kind.PERSONAL,
        email="retard@example.org",
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/admin/structures/invitation/",
            {"action": "resend_selected", "_selected_action": [expired.pk]},
            follow=True,
        )
    assert "Invitation renvoyée à retard@example.org." in response.text
    expired.refresh_from_db()
    assert expired.is_usable
    assert expired.sent_at is not None
    assert [m.to for m in mailoutbox] == [["retard@example.org"]]


@pytest.mark.django_db
def test_used_or_revoked_invitations_are_not_resent(client_a, structure_a, mailoutbox):
    used = InvitationFactory(
        structure=structure_a,
        kind=Invitation.Kind.PERSONAL,
        email="utilise@example.org",
        used_at=timezone.now(),
    )
    revoked = InvitationFactory(
        structure=structure_a,
        kind=Invitation.Kind.PERSONAL,
        email="revoque@example.org",
        revoked_at=timezone.now(),
    )
    response = client_a.post(
        "/admin/structures/invitation/",
        {"action": "resend_selected", "_selected_action": [used.pk, revoked.pk]},
        follow=True,
    )
    assert "a déjà servi" in response.text
    assert "est révoquée" in response.text
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_list_shows_each_invitations_status(client_a, structure_a):
    now = timezone.now()
    InvitationFactory(structure=structure_a, kind="personal", email="envoyee@example.org", sent_at=now)
    InvitationFactory(structure=structure_a, kind="personal", email="utilisee@example.org", used_at=now)
    InvitationFactory(
        structure=structure_a,
        kind="personal",
        email="expiree@example.org",
        expires_at=now - datetime.timedelta(1),
    )
    InvitationFactory(structure=structure_a, kind="personal", email="revoquee@example.org", revoked_at=now)
    page = client_a.get("/admin/structures/invitation/").text
    for label in ("Envoyée le", "Utilisée le", "Expirée", "Révoquée"):
        assert label in page
    expired_only = client_a.get("/admin/structures/invitation/?state=expired").text
    assert "expiree@example.org" in expired_only
    assert "envoyee@example.org" not in expired_only


@pytest.mark.django_db
def test_revoke_from_the_list(client, client_a, structure_a):
    invitation = InvitationFactory(structure=structure_a, kind="personal", email="stop@example.org")
    client_a.post(
        "/admin/structures/invitation/", {"action": "revoke_selected", "_selected_action": [invitation.pk]}
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(f"/inscription/{invitation.token}/").status_code == 410
