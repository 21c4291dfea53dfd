"""Import of a structure's members from the former site's CSV file: good lines created
(approved, no usable password, decision recorded), bad lines rejected with a French reason,
a rerun updates without duplicates, an unreadable file writes nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Address, JobTitle, User
from beneficiaries.models import Beneficiary, Relationship
from ceplus.tests import factories
from structures.imports import ImportFileError, members_import
from structures.models import MembershipDecision

TODAY = datetime.date(2026, 3, 2)
HEADER = "nom;prénom;email;téléphone;fonction;adresse;complément;code postal;ville;bénéficiaires\n"
MARIE = (
    "Martin;Marie;Marie.Martin@Example.org;06 12 34 56 78;Comptable;12 rue des Vosges;Bât. B;68100;Mulhouse;"
    "enfant:Martin:Léa:14/03/2016|conjoint:Martin:Paul:02/05/1985\n"
)
JEAN = "Durand;Jean;jean.durand@example.org;;;;;;;\n"


def run(structure, text: str, **kwargs):
    return members_import(structure=structure, content=text.encode("utf-8"), today=TODAY, **kwargs)


@pytest.fixture
def structure(db):
    return factories.StructureFactory(name="CSE Textiles")


@pytest.mark.django_db
def test_good_file_creates_approved_members_without_password(structure):
    staff = factories.StaffFactory()
    report = run(structure, HEADER + MARIE + JEAN, acting_user=staff)
    assert [line.number for line in report.created] == [2, 3]
    assert report.updated == report.rejected == []

    marie = User.objects.get(email="marie.martin@example.org")
    assert (marie.last_name, marie.first_name, marie.structure) == ("Martin", "Marie", structure)
    assert marie.status == User.Status.APPROVED
    assert marie.is_active
    assert not marie.has_usable_password()
    assert marie.phone.as_e164 == "+33612345678"
    assert marie.job_title == JobTitle.objects.get(name="Comptable")
    address = Address.objects.get(user=marie)
    assert (address.line1, address.line2, address.postal_code, address.city) == (
        "12 rue des Vosges",
        "Bât. B",
        "68100",
        "Mulhouse",
    )
    children = list(
        marie.beneficiaries.order_by("birth_date").values_list("relationship", "first_name", "birth_date")
    )
    assert children == [
        (Relationship.CONJOINT, "Paul", datetime.date(1985, 5, 2)),
        (Relationship.CHILD, "Léa", datetime.date(2016, 3, 14)),
    ]
    decision = MembershipDecision.objects.get(member=marie)
    assert (decision.to_status, decision.acting_user, decision.structure) == ("approved", staff, structure)
    assert "ancien site" in decision.reason

    jean = User.objects.get(email="jean.durand@example.org")
    assert not jean.has_usable_password()
    assert not Address.objects.filter(user=jean).exists()


@pytest.mark.django_db
def test_utf8_bom_and_comma_separator_and_one_cell_address_are_read(structure):
    text = '\ufeffNom,Prénom,E-mail,Adresse,Bénéficiaires\nLefèvre,Zoé,zoe@example.org,"5 place de la Réunion, 68100 Mulhouse",enfant:Lefèvre:Noé:2019-07-01\n'
    report = members_import(structure=structure, content=text.encode("utf-8"), today=TODAY)
    assert len(report.created) == 1
    zoe = User.objects.get(email="zoe@example.org")
    assert zoe.first_name == "Zoé"
    assert (zoe.address.line1, zoe.address.postal_code, zoe.address.city) == (
        "5 place de la Réunion",
        "68100",
        "Mulhouse",
    )
    assert zoe.beneficiaries.get().birth_date == datetime.date(2019, 7, 1)


@pytest.mark.django_db
def test_bad_lines_are_rejected_with_a_reason_and_good_ones_imported(structure):
    structure.child_age_limit = 20
    structure.save()
    other = factories.MemberFactory(email="ailleurs@example.org")
    text = HEADER + "".join(
        [
            "Bon;Ligne;bon@example.org;;;;;;;\n",
            "Sans;Arobase;pas-une-adresse;;;;;;;\n",
            "Mauvais;Tel;tel@example.org;12345;;;;;;\n",
            "Lien;Inconnu;lien@example.org;;;;;;;cousin:Martin:Léo:01/01/2015\n",
            "Trop;Vieux;vieux@example.org;;;;;;;enfant:Vieux:Max:01/01/2000\n",
            "Deux;Conjoints;deux@example.org;;;;;;;conjoint:A:B:01/01/1980|epouse:C:D:01/01/1981\n",
            "Code;Postal;cp@example.org;;;1 rue X;;6810;Mulhouse;\n",
            "Adresse;Partielle;partielle@example.org;;;1 rue X;;;;\n",
            "Date;Fausse;date@example.org;;;;;;;enfant:Martin:Léo:31/02/2015\n",
            "Format;Faux;format@example.org;;;;;;;enfant Martin Léo\n",
            ";SansNom;sansnom@example.org;;;;;;;\n",
            "Autre;Structure;ailleurs@example.org;;;;;;;\n",
            "Double;Ligne;bon@example.org;;;;;;;\n",
        ]
    )
    report = run(structure, text)
    assert [line.email for line in report.created] == ["bon@example.org"]
    reasons = {line.number: "; ".join(line.reasons) for line in report.rejected}
    assert "email invalide" in reasons[3]
    assert "téléphone invalide : « 12345 »" in reasons[4]
    assert "lien « cousin » inconnu" in reasons[5]
    assert "moins de 20 ans" in reasons[6]
    assert "qu'un seul conjoint" in reasons[7]
    assert "code postal invalide" in reasons[8]
    assert "adresse incomplète" in reasons[9]
    assert "date de naissance invalide" in reasons[10]
    assert "format attendu lien:nom:prénom:jj/mm/aaaa" in reasons[11]
    assert "nom manquant" in reasons[12]
    assert "autre structure" in reasons[13]
    assert "figure déjà à la ligne 2" in reasons[14]
    assert len(report.rejected) == 12
    assert set(User.objects.filter(structure=structure).values_list("email", flat=True)) == {
        "bon@example.org"
    }
    assert other.structure != structure
    assert User.objects.get(email="ailleurs@example.org").structure == other.structure


@pytest.mark.django_db
def test_a_staff_address_is_never_taken_over(structure):
    factories.StaffFactory(email="staff@example.org")
    report = run(structure, HEADER + "Pirate;Staff;STAFF@example.org;;;;;;;\n")
    assert "personnel" in report.rejected[0].reasons[0]
    staff = User.objects.get(email="staff@example.org")
    assert staff.structure is None
    assert staff.has_usable_password()


@pytest.mark.django_db
def test_rerunning_the_same_file_updates_without_duplicates(structure):
    first = run(structure, HEADER + MARIE + JEAN)
    again = run(structure, HEADER + MARIE + JEAN)
    assert len(first.created) == 2
    assert again.created == []
    assert again.rejected == []
    assert [line.number for line in again.updated] == [2, 3]
    assert all(line.notes == ["aucun changement"] for line in again.updated)
    assert User.objects.filter(structure=structure).count() == 2
    assert Beneficiary.objects.count() == 2
    assert Address.objects.count() == 1
    assert MembershipDecision.objects.count() == 2


@pytest.mark.django_db
def test_an_update_changes_what_the_file_says_and_erases_nothing(structure):
    run(structure, HEADER + MARIE)
    marie = User.objects.get(email="marie.martin@example.org")
    marie.set_password(factories.PASSWORD)  # activated meanwhile
    marie.save()
    changed = HEADER + "Martin-Roux;Marie;marie.martin@example.org;;;;;;;enfant:Martin:Tom:01/09/2020\n"
    report = run(structure, changed)
    assert [line.number for line in report.updated] == [2]
    assert report.updated[0].notes == []
    marie.refresh_from_db()
    assert marie.last_name == "Martin-Roux"
    assert marie.phone.as_e164 == "+33612345678"
    assert marie.job_title.name == "Comptable"
    assert marie.address.city == "Mulhouse"
    assert marie.check_password(factories.PASSWORD)
    assert sorted(marie.beneficiaries.values_list("first_name", flat=True)) == ["Léa", "Paul", "Tom"]


@pytest.mark.django_db
def test_an_update_keeps_the_household_rules(structure):
    """A second partner for a member who already has one is refused, even across runs."""
    run(structure, HEADER + MARIE)
    report = run(
        structure, HEADER + "Martin;Marie;marie.martin@example.org;;;;;;;pacs:Autre:Alex:01/01/1990\n"
    )
    assert "qu'un seul conjoint" in report.rejected[0].reasons[0]
    assert Beneficiary.objects.count() == 2


@pytest.mark.django_db
def test_an_existing_pending_member_keeps_their_status(structure):
    pending = factories.PendingMemberFactory(email="attente@example.org", structure=structure)
    report = run(structure, HEADER + "Attente;Paul;attente@example.org;;;;;;;\n")
    assert len(report.updated) == 1
    pending.refresh_from_db()
    assert pending.status == User.Status.PENDING
    assert pending.has_usable_password()


@pytest.mark.django_db
def test_an_unknown_fonction_is_left_empty_with_a_note(structure):
    text = (
        HEADER
        + "Martin;Marie;marie@example.org;;Dresseuse de licornes;;;;;\nDurand;Jean;jean@example.org;;assistante comptable;;;;;\n"
    )
    report = run(structure, text)
    assert len(report.created) == 2
    assert "Dresseuse de licornes" in report.created[0].notes[0]
    assert User.objects.get(email="marie@example.org").job_title is None
    assert User.objects.get(email="jean@example.org").job_title.name == "Assistant / Assistante comptable"


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(structure):
    report = run(structure, HEADER + MARIE + "X;Y;pas-une-adresse;;;;;;;\n", dry_run=True)
    assert report.dry_run
    assert len(report.created) == 1
    assert len(report.rejected) == 1
    assert not User.objects.filter(structure=structure).exists()
    assert not MembershipDecision.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nom;prénom;email\nMartin;Léa;lea@example.org\n".encode("cp1252"), "UTF-8"),
        (b"", "vide"),
        ("nom;prénom\nMartin;Léa\n".encode(), "email"),
        ("nom;prénom;email;nom\nA;B;c@example.org;D\n".encode(), "deux fois"),
        ("nom;prénom;email\n".encode(), "aucun membre"),
    ],
)
@pytest.mark.django_db
def test_an_unreadable_file_writes_nothing(structure, content, message):
    with pytest.raises(ImportFileError, match=message):
        members_import(structure=structure, content=content, today=TODAY)
    assert not User.objects.filter(structure=structure).exists()


@pytest.mark.django_db
def test_a_script_in_a_name_is_stored_as_text(structure):
    run(structure, HEADER + "<script>alert(1)</script>;Marie;marie@example.org;;;;;;;\n")
    assert User.objects.get(email="marie@example.org").last_name == "<script>alert(1)</script>"


# --- The management command -----------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_and_prints_a_french_report(structure, tmp_path):
    staff = factories.StaffFactory(email="staff@example.org")
    path = tmp_path / "membres.csv"
    path.write_text(HEADER + MARIE + "X;Y;pas-une-adresse;;;;;;;\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_members", str(path), "--structure", "cse textiles", "--par", "staff@example.org", stdout=out
    )
    output = out.getvalue()
    assert "1 créé(s), 0 mis à jour, 1 refusé(s) sur 2 ligne(s)." in output
    assert "Ligne 3 (pas-une-adresse) refusée : email invalide" in output
    assert MembershipDecision.objects.get().acting_user == staff


@pytest.mark.django_db
def test_command_dry_run_and_errors(structure, tmp_path):
    path = tmp_path / "membres.csv"
    path.write_text(HEADER + MARIE, encoding="utf-8")
    out = io.StringIO()
    call_command("import_members", str(path), "--structure", str(structure.pk), "--simuler", stdout=out)
    assert "Simulation" in out.getvalue()
    assert not User.objects.filter(structure=structure).exists()
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_members", str(path), "--structure", "Inconnue")
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes("nom;prénom;email\nÉ;É;e@example.org\n".encode("cp1252"))
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_members", str(bad), "--structure", "CSE Textiles")


# --- The admin upload page ------------------------------------------------------------------

IMPORT_URL = "/admin/import-membres/"


def upload(client, structure, text: str, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("membres.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(IMPORT_URL, {"structure": structure.pk, "file": file, **extra})


@pytest.mark.django_db
def test_staff_uploads_a_file_and_reads_the_report(client, structure):
    staff = factories.StaffFactory()
    client.force_login(staff)
    page = client.get(IMPORT_URL).content.decode()
    assert (
        "Importer les membres de l&#x27;ancien site" in page
        or "Importer les membres de l'ancien site" in page
    )
    assert "enfant:Martin:Léa:14/03/2016" in page
    response = upload(client, structure, HEADER + MARIE + "X;Y;pas-une-adresse;;;;;;;\n")
    page = response.content.decode()
    assert response.status_code == 200
    assert "CSE Textiles : 1 créé(s), 0 mis à jour, 1 refusé(s) sur 2 ligne(s)." in page
    assert "email invalide" in page
    assert User.objects.filter(structure=structure, email="marie.martin@example.org").exists()
    assert MembershipDecision.objects.get().acting_user == staff


@pytest.mark.django_db
def test_upload_dry_run_and_unreadable_file(client, structure):
    client.force_login(factories.StaffFactory())
    page = upload(client, structure, HEADER + MARIE, dry_run="on").content.decode()
    assert "Rapport de simulation" in page
    assert not User.objects.filter(structure=structure).exists()
    page = upload(client, structure, "nom;prénom\nA;B\n").content.decode()
    assert (
        "Fichier refusé, rien n&#x27;a été importé" in page or "Fichier refusé, rien n'a été importé" in page
    )
    assert not User.objects.filter(structure=structure).exists()


@pytest.mark.django_db
def test_upload_without_file_explains_in_french(client, structure):
    client.force_login(factories.StaffFactory())
    response = client.post(IMPORT_URL, {"structure": structure.pk})
    assert "Choisissez le fichier CSV des membres." in response.content.decode()


@pytest.mark.django_db
def test_upload_too_large_is_refused_without_reading_it(client, structure, monkeypatch):
    monkeypatch.setattr("structures.admin.member_import.MAX_UPLOAD_BYTES", 1000)
    client.force_login(factories.StaffFactory())
    response = upload(client, structure, HEADER + MARIE * 50)
    assert "Le fichier dépasse" in response.content.decode()
    assert not User.objects.filter(structure=structure).exists()


@pytest.mark.django_db
def test_the_upload_stays_in_memory(client, structure, monkeypatch):
    """The file (personal data) never goes to a temporary file on disk, whatever its size."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    def refuse(*args, **kwargs):
        raise AssertionError("written to disk")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    monkeypatch.setattr("django.conf.settings.FILE_UPLOAD_MAX_MEMORY_SIZE", 10)
    client.force_login(factories.StaffFactory())
    response = upload(client, structure, HEADER + MARIE)
    assert response.status_code == 200
    assert User.objects.filter(structure=structure).count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_manager_without_the_permissions_is_refused(client, structure):
    manager = factories.ManagerFactory(structures=[structure])
    client.force_login(manager)
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, structure, HEADER + MARIE).status_code == 403
    assert not User.objects.filter(email="marie.martin@example.org").exists()


@pytest.mark.django_db
def test_a_member_is_refused(client):
    client.force_login(factories.MemberFactory())
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
