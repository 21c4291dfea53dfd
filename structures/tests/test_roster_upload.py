"""The upload of a structure's staff list (``roster_replace`` and ``manage.py import_roster``):
each file replaces the list, with a report of who was added, changed and gone; a bad line is
rejected with its reason in French and never makes anybody gone; a file that cannot be read,
a dry run or another structure's manager writes nothing."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.models import Event, User
from ceplus.csv_files import CsvFileError
from ceplus.tests.factories import PendingMemberFactory, RosterEntryFactory
from structures.models import MembershipDecision, RosterEntry, RosterImport
from structures.roster.services import roster_replace

HEADER = "nom;prénom;email;matricule;date d'entrée;date de sortie\n"
MARIE = "Martin;Marie;Marie.Martin@Example.org;A0042;01/09/2019;\n"
JEAN = "Durand;Jean;jean.durand@example.org;A0107;15/01/2024;30/06/2026\n"
LEA = "Petit;Léa;lea.petit@example.org;;;\n"


def upload(structure, text: str, *, encoding: str = "utf-8", acting_user=None, **kwargs):
    return roster_replace(
        structure=structure,
        content=text.encode(encoding),
        file_name="personnel.csv",
        acting_user=acting_user,
        **kwargs,
    )


def listed(structure) -> dict[str, RosterEntry]:
    return {entry.email: entry for entry in RosterEntry.objects.filter(structure=structure)}


@pytest.mark.django_db
def test_a_good_file_fills_the_list_and_records_the_upload(structure_a, manager_a):
    report = upload(structure_a, HEADER + MARIE + JEAN, acting_user=manager_a)

    assert (report.added, report.changed, report.removed, report.unchanged) == (2, 0, 0, 0)
    assert report.rejected == []
    assert report.added_names == [
        "Marie Martin (marie.martin@example.org)",
        "Jean Durand (jean.durand@example.org)",
    ]
    assert not report.dry_run
    assert report.auto_approved == 0
    entries = listed(structure_a)
    marie, jean = entries["marie.martin@example.org"], entries["jean.durand@example.org"]
    assert (marie.last_name, marie.first_name, marie.employee_number) == ("Martin", "Marie", "A0042")
    assert (marie.start_date, marie.end_date) == (datetime.date(2019, 9, 1), None)
    assert jean.end_date == datetime.date(2026, 6, 30)
    assert marie.name_key == "martin|marie"
    assert marie.removed_at is None

    upload_row = RosterImport.objects.get()
    assert report.roster_import == upload_row
    assert marie.roster_import == jean.roster_import == upload_row
    assert (upload_row.structure, upload_row.uploaded_by, upload_row.file_name) == (
        structure_a,
        manager_a,
        "personnel.csv",
    )
    assert (upload_row.line_count, upload_row.added, upload_row.removed, upload_row.rejected) == (2, 2, 0, 0)

    event = Event.objects.get(kind=Event.Kind.ROSTER_IMPORTED)
    assert (event.acting_user, event.structure) == (manager_a, structure_a)
    assert event.description.startswith("2 ajoutées, 0 modifiée, 0 retirée, 0 inchangée")
    assert event.changes == [{"field": "personnes sur la liste du personnel", "before": "0", "after": "2"}]
    # The record of changes gives counts, never the file's content.
    for secret in ("Martin", "marie.martin", "A0042"):
        assert secret not in event.description
        assert secret not in str(event.changes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("\ufeff" + HEADER + MARIE + LEA, "utf-8"),
        (HEADER.replace(";", ",") + MARIE.replace(";", ",") + LEA.replace(";", ","), "utf-8"),
        (HEADER + MARIE + LEA, "utf-8"),
        ((HEADER + MARIE + LEA).replace("\n", "\r\n"), "cp1252"),
        ((HEADER + MARIE + LEA).replace(";", "\t"), "utf-8"),
    ],
    ids=["utf8-bom", "comma", "semicolon", "windows-1252", "tab"],
)
def test_excels_encodings_and_separators_are_read(structure_a, text, encoding):
    report = upload(structure_a, text, encoding=encoding)
    assert report.rejected == []
    assert report.added == 2
    lea = listed(structure_a)["lea.petit@example.org"]
    assert (lea.last_name, lea.first_name) == ("Petit", "Léa")
    assert listed(structure_a)["marie.martin@example.org"].start_date == datetime.date(2019, 9, 1)


@pytest.mark.django_db
def test_headers_are_matched_without_accents_case_or_underscores(structure_a):
    text = (
        "NOM ;Prenom;E-mail;N° matricule;date_entrée;Date de sortie (jj/mm/aaaa);Service\n"
        "Martin;Marie;marie@example.org;A1;2019-09-01;31.12.2026;Compta\n"
    )
    report = upload(structure_a, text)
    assert report.rejected == []
    assert report.ignored_columns == ["Service"]
    marie = listed(structure_a)["marie@example.org"]
    assert marie.employee_number == "A1"
    assert (marie.start_date, marie.end_date) == (datetime.date(2019, 9, 1), datetime.date(2026, 12, 31))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Martin;Jean;jean@;;;", "adresse email invalide : « jean@ »"),
        ("Martin;Jean;;;;", "email manquant"),
        (";Jean;jean@example.org;;;", "nom manquant"),
        ("Martin;;jean@example.org;;;", "prénom manquant"),
        (
            "Martin;Jean;jean@example.org;;;31/02/2026",
            "date de sortie invalide : « 31/02/2026 » (jj/mm/aaaa)",
        ),
        ("Martin;Jean;jean@example.org;;le 3 mars;", "date d'entrée invalide : « le 3 mars » (jj/mm/aaaa)"),
        (
            "Martin;Jean;jean@example.org;;01/09/2020;01/09/2019",
            "date de sortie antérieure à la date d'entrée",
        ),
        ("Martin;Jean;jean@example.org;" + "9" * 51 + ";;", "matricule trop long (50 caractères au plus)"),
        ("X" * 151 + ";Jean;jean@example.org;;;", "nom trop long (150 caractères au plus)"),
        ("Martin;Jean;jean@example.org;;;;en trop", "plus de cellules que de colonnes"),
    ],
)
def test_a_bad_line_is_rejected_with_its_reason_in_french(structure_a, line, reason):
    report = upload(structure_a, HEADER + MARIE + line + "\n")
    assert report.added == 1
    assert len(report.rejected) == 1
    number, text = report.rejected[0]
    assert number == 3
    assert reason in text
    assert set(listed(structure_a)) == {"marie.martin@example.org"}
    assert RosterImport.objects.get().rejected_lines == [[3, text]]


@pytest.mark.django_db
def test_every_reason_of_a_line_is_given(structure_a):
    report = upload(structure_a, HEADER + ";;jean@;;32/01/2020;\n")
    ((_number, text),) = report.rejected
    for reason in ("adresse email invalide", "nom manquant", "prénom manquant", "date d'entrée invalide"):
        assert reason in text


@pytest.mark.django_db
def test_a_second_line_with_the_same_email_is_rejected(structure_a):
    report = upload(structure_a, HEADER + MARIE + JEAN + "Martin;Marie-Claire;MARIE.martin@example.org;;;\n")
    assert report.rejected == [(4, "email en double (déjà ligne 2)")]
    assert report.added == 2
    assert listed(structure_a)["marie.martin@example.org"].first_name == "Marie"


@pytest.mark.django_db
def test_the_same_file_again_changes_nothing(structure_a):
    first = upload(structure_a, HEADER + MARIE + JEAN)
    again = upload(structure_a, HEADER + MARIE + JEAN)
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 2)
    assert again.added_names == again.changed_names == again.removed_names == []
    assert RosterEntry.objects.filter(structure=structure_a).count() == 2
    # Every person of the file is now on the latest upload.
    assert {entry.roster_import for entry in listed(structure_a).values()} == {again.roster_import}
    assert again.roster_import != first.roster_import


@pytest.mark.django_db
def test_a_new_file_adds_changes_and_removes_then_a_comeback_is_listed_again(structure_a):
    upload(structure_a, HEADER + MARIE + JEAN + LEA)
    changed = HEADER + MARIE.replace("A0042", "A0043") + LEA + "Roy;Inès;ines.roy@example.org;;;\n"

    report = upload(structure_a, changed)

    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert report.added_names == ["Inès Roy (ines.roy@example.org)"]
    assert report.changed_names == ["Marie Martin (marie.martin@example.org) : matricule"]
    assert report.removed_names == ["Jean Durand (jean.durand@example.org)"]
    entries = listed(structure_a)
    assert entries["marie.martin@example.org"].employee_number == "A0043"
    jean = entries["jean.durand@example.org"]
    assert jean.removed_at is not None  # kept, marked gone
    assert jean.roster_import != report.roster_import
    assert RosterImport.objects.get(pk=report.roster_import.pk).removed == 1
    event = Event.objects.filter(kind=Event.Kind.ROSTER_IMPORTED).first()
    assert event.changes[0]["before"] == "3"
    assert event.changes[0]["after"] == "3"

    back = upload(structure_a, changed + JEAN)
    assert (back.added, back.removed) == (1, 0)
    assert back.added_names == ["Jean Durand (jean.durand@example.org) : de retour sur la liste"]
    jean.refresh_from_db()
    assert jean.removed_at is None
    assert jean.roster_import == back.roster_import

    # Gone already: not counted again.
    upload(structure_a, HEADER + LEA)
    again = upload(structure_a, HEADER + LEA)
    assert again.removed == 0


@pytest.mark.django_db
def test_a_name_or_date_change_counts_as_changed(structure_a):
    upload(structure_a, HEADER + JEAN)
    report = upload(
        structure_a, HEADER + "Durand-Roy;Jean;jean.durand@example.org;A0107;15/01/2024;31/07/2026\n"
    )
    assert report.changed_names == ["Jean Durand-Roy (jean.durand@example.org) : nom, date de sortie"]
    jean = listed(structure_a)["jean.durand@example.org"]
    assert (jean.last_name, jean.end_date, jean.name_key) == (
        "Durand-Roy",
        datetime.date(2026, 7, 31),
        "durand roy|jean",
    )


@pytest.mark.django_db
def test_a_dry_run_reports_the_same_and_writes_nothing(structure_a, manager_a):
    upload(structure_a, HEADER + JEAN, acting_user=manager_a)
    before = list(RosterEntry.objects.values())
    events = Event.objects.count()

    report = upload(structure_a, HEADER + MARIE + "X;Y;jean@;;;\n" + LEA, acting_user=manager_a, dry_run=True)

    assert report.dry_run
    assert (report.added, report.kept_absent, len(report.rejected)) == (2, 1, 1)
    assert report.roster_import is None
    assert RosterImport.objects.count() == 1
    assert list(RosterEntry.objects.values()) == before
    assert Event.objects.count() == events

    report = upload(structure_a, HEADER + MARIE, dry_run=True)
    assert (report.added, report.removed) == (1, 1)
    assert list(RosterEntry.objects.values()) == before


@pytest.mark.django_db
def test_a_dry_run_on_an_empty_list_creates_nothing(structure_a):
    upload(structure_a, HEADER + MARIE + JEAN, dry_run=True)
    assert not RosterEntry.objects.exists()
    assert not RosterImport.objects.exists()
    assert not Event.objects.filter(kind=Event.Kind.ROSTER_IMPORTED).exists()


@pytest.mark.django_db
def test_a_rejected_line_with_a_readable_email_keeps_that_persons_line(structure_a):
    first = upload(structure_a, HEADER + MARIE + JEAN)
    report = upload(structure_a, HEADER + "Martin;Marie;marie.martin@example.org;B9;32/13/2020;\n" + LEA)

    assert report.removed == 1  # Jean, absent from the file
    assert report.kept_absent == 0
    marie = listed(structure_a)["marie.martin@example.org"]
    assert marie.removed_at is None
    assert marie.employee_number == "A0042"  # untouched, not the rejected line's
    assert marie.roster_import == first.roster_import
    assert listed(structure_a)["jean.durand@example.org"].removed_at is not None


@pytest.mark.django_db
def test_a_rejected_line_without_a_readable_email_makes_nobody_gone(structure_a):
    upload(structure_a, HEADER + MARIE + JEAN + LEA)
    report = upload(structure_a, HEADER + MARIE + "Durand;Jean;jean.durand@;;;\n")

    assert report.removed == 0
    assert report.kept_absent == 2
    assert report.kept_absent_names == [
        "Jean Durand (jean.durand@example.org)",
        "Léa Petit (lea.petit@example.org)",
    ]
    assert report.kept_absent_message.startswith(
        "2 personnes absentes du fichier restent sur la liste : des lignes n'ont pas pu être lues."
    )
    assert RosterEntry.objects.filter(structure=structure_a, removed_at__isnull=False).count() == 0
    assert report.roster_import.removed == 0
    event = Event.objects.filter(kind=Event.Kind.ROSTER_IMPORTED).first()
    assert "restent sur la liste" in event.description


@pytest.mark.django_db
def test_at_most_200_rejected_lines_are_stored_but_all_are_counted(structure_a):
    report = upload(
        structure_a, HEADER + MARIE + "".join(f";Sans nom;n{i}@example.org;;;\n" for i in range(250))
    )
    assert len(report.rejected) == 250
    stored = RosterImport.objects.get()
    assert stored.rejected == 250
    assert len(stored.rejected_lines) == 200
    assert stored.rejected_lines[0] == [3, "nom manquant"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\n \n", "Le fichier est vide."),
        (HEADER.encode(), "ne contient personne sous sa ligne d'en-tête"),
        (
            "nom;prénom;matricule\nMartin;Marie;A1\n".encode(),
            "Colonnes obligatoires absentes de la première ligne : email",
        ),
        ("nom;prénom;email;Courriel\nA;B;c@example.org;d@example.org\n".encode(), "apparaît deux fois"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "n'est pas un fichier CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00", "classeur Excel"),
        (b"nom;pr\x81nom;email\n", "ni en UTF-8 ni en Windows-1252"),
        (b'nom;prenom;email\n"' + b"x" * 200_000 + b"\n", "mal formé"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "no-email",
        "twice",
        "png",
        "xlsx",
        "undecodable",
        "unclosed-quote",
    ],
)
def test_a_file_that_cannot_be_read_changes_nothing(structure_a, content, message):
    upload(structure_a, HEADER + MARIE)
    before = list(RosterEntry.objects.values())
    with pytest.raises(CsvFileError, match=message):
        roster_replace(structure=structure_a, content=content, file_name="x.csv", acting_user=None)
    assert list(RosterEntry.objects.values()) == before
    assert RosterImport.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.ROSTER_IMPORTED).count() == 1


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_in_french(structure_a, monkeypatch):
    monkeypatch.setattr("structures.roster.files.MAX_BYTES", 100)
    with pytest.raises(CsvFileError, match="Le fichier dépasse"):
        upload(structure_a, HEADER + MARIE * 5)
    assert not RosterEntry.objects.exists()


@pytest.mark.django_db
def test_another_structures_manager_is_refused(structure_a, manager_b):
    RosterEntryFactory(structure=structure_a, email="reste@example.org")
    with pytest.raises(PermissionDenied):
        upload(structure_a, HEADER + MARIE, acting_user=manager_b)
    with pytest.raises(PermissionDenied):
        upload(structure_a, HEADER + MARIE, acting_user=manager_b, dry_run=True)
    assert list(listed(structure_a)) == ["reste@example.org"]
    assert listed(structure_a)["reste@example.org"].removed_at is None
    assert not RosterImport.objects.exists()


@pytest.mark.django_db
def test_staff_may_upload_any_structures_list(structure_b, staff):
    report = upload(structure_b, HEADER + MARIE, acting_user=staff)
    assert report.roster_import.uploaded_by == staff


@pytest.mark.django_db
def test_another_structures_list_is_left_alone(structure_a, structure_b):
    other = RosterEntryFactory(structure=structure_b, email="marie.martin@example.org")
    upload(structure_a, HEADER + JEAN)
    upload(structure_a, HEADER + LEA)
    other.refresh_from_db()
    assert other.removed_at is None
    assert other.roster_import is None
    assert listed(structure_b) == {"marie.martin@example.org": other}


# --- The management command -----------------------------------------------------------------


def run_command(tmp_path, content: str, *arguments: str) -> str:
    """``manage.py import_roster`` on a file holding ``content``: what it prints."""
    path = tmp_path / "personnel.csv"
    path.write_text(content, encoding="utf-8")
    out = io.StringIO()
    call_command("import_roster", str(path), *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_imports_and_prints_a_french_report(structure_a, tmp_path):
    output = run_command(
        tmp_path, HEADER + MARIE + "X;Y;jean@;;;\n", "--structure", "cse textiles de sausheim"
    )
    assert "Liste du personnel de CSE Textiles de Sausheim" in output
    assert "1 ajoutée, 0 modifiée, 0 retirée, 0 inchangée, 1 ligne rejetée (2 lignes lues)." in output
    assert "Ligne 3 : adresse email invalide : « jean@ »" in output
    assert "Ajoutées : Marie Martin (marie.martin@example.org)" in output
    upload_row = RosterImport.objects.get()
    assert (upload_row.uploaded_by, upload_row.file_name) == (None, "personnel.csv")
    assert Event.objects.get(kind=Event.Kind.ROSTER_IMPORTED).acting_user is None


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(structure_a, tmp_path):
    output = run_command(tmp_path, HEADER + MARIE, "--structure", str(structure_a.pk), "--dry-run")
    assert "Simulation : rien n'a été enregistré." in output
    assert "1 ajoutée" in output
    assert not RosterEntry.objects.exists()
    assert not RosterImport.objects.exists()


@pytest.mark.django_db
def test_command_errors_are_french_and_exit_non_zero(structure_a, tmp_path):
    with pytest.raises(CommandError, match="Structure « Inconnue » introuvable"):
        run_command(tmp_path, HEADER + MARIE, "--structure", "Inconnue")
    with pytest.raises(CommandError, match="Fichier refusé, la liste n'a pas changé : Colonnes obligatoires"):
        run_command(tmp_path, "nom;prénom\nMartin;Marie\n", "--structure", structure_a.name)
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("import_roster", str(tmp_path / "absent.csv"), "--structure", structure_a.name)
    assert not RosterEntry.objects.exists()


@pytest.mark.django_db
def test_an_upload_validates_the_pending_ones_it_lists_when_the_structure_chose_so(
    structure_a, manager_a, django_capture_on_commit_callbacks
):
    structure_a.roster_auto_approve = True
    structure_a.save()
    listed = PendingMemberFactory(structure=structure_a, email="listee@example.org")
    EmailAddress.objects.create(user=listed, email=listed.email, verified=True, primary=True)
    unproven = PendingMemberFactory(structure=structure_a, email="nonconfirmee@example.org")
    content = "nom;prénom;email\nListée;Anne;listee@example.org\nNon;Confirmée;nonconfirmee@example.org\n"
    dry = roster_replace(
        structure=structure_a,
        content=content.encode(),
        file_name="l.csv",
        acting_user=manager_a,
        dry_run=True,
    )
    assert dry.auto_approved == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = roster_replace(
            structure=structure_a, content=content.encode(), file_name="l.csv", acting_user=manager_a
        )
    assert report.auto_approved == 1
    assert (
        report.auto_approved_message == "1 inscription en attente, sur la liste, est validée automatiquement."
    )
    listed.refresh_from_db()
    unproven.refresh_from_db()
    assert (listed.status, unproven.status) == (User.Status.APPROVED, User.Status.PENDING)
    decision = MembershipDecision.objects.get(member=listed, to_status=User.Status.APPROVED)
    assert decision.acting_user == manager_a
