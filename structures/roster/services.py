"""The upload of a structure's staff list: the one place where the list changes.

Each upload is a full export that replaces the list: the people of the file are added or
brought up to date, the people gone from it are marked as gone (``removed_at``, their line
kept), those who come back are current again. Nobody is taken for gone because of a line that
could not be read (``roster_replace``). The admin's page and ``manage.py import_roster`` call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.events import event_record
from accounts.models import Event, User
from structures.models import RosterEntry, RosterImport, Structure
from structures.roster.decisions import pending_auto_approve
from structures.roster.files import RosterFile, RosterLine, roster_file_read
from structures.scoping import may_see_structure

# The fields of a line that the file sets; a difference in any of them is a change.
LINE_FIELDS = ("last_name", "first_name", "employee_number", "start_date", "end_date")
# A report names at most this many people per kind of change (its counts are exact).
REPORT_NAMES_LIMIT = 100
# An upload keeps at most this many of its rejected lines (its count is exact).
STORED_REJECTED_LINES = 200
BATCH_SIZE = 1000


@dataclass
class RosterReport:
    """What an upload did (or, on a dry run, would do) to the list.

    The counts are exact; the lists of names (``"Marie Martin (marie@example.org)"``) stop at
    ``REPORT_NAMES_LIMIT``. ``kept_absent`` people are absent from the file but stay on the list
    because some lines could not be read. ``auto_approved`` counts the registrations the upload
    validated (the structure's rule, applied by ``structures.roster.decisions``)."""

    structure: Structure
    dry_run: bool = False
    line_count: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    kept_absent: int = 0
    added_names: list[str] = field(default_factory=list)
    changed_names: list[str] = field(default_factory=list)
    removed_names: list[str] = field(default_factory=list)
    unchanged_names: list[str] = field(default_factory=list)
    kept_absent_names: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    roster_import: RosterImport | None = None
    auto_approved: int = 0

    @property
    def summary(self) -> str:
        """The counts in words, as the record of changes and the page say them."""
        parts = [
            counted("%(count)d ajoutée", "%(count)d ajoutées", self.added),
            counted("%(count)d modifiée", "%(count)d modifiées", self.changed),
            counted("%(count)d retirée", "%(count)d retirées", self.removed),
            counted("%(count)d inchangée", "%(count)d inchangées", self.unchanged),
            counted("%(count)d ligne rejetée", "%(count)d lignes rejetées", len(self.rejected)),
        ]
        lines = counted("%(count)d ligne lue", "%(count)d lignes lues", self.line_count)
        return _("%(parts)s (%(lines)s).") % {"parts": ", ".join(parts), "lines": lines}

    @property
    def auto_approved_message(self) -> str:
        """The registrations the upload validated (the structure's rule), or ""."""
        if not self.auto_approved:
            return ""
        return counted(
            "%(count)d inscription en attente, sur la liste, est validée automatiquement.",
            "%(count)d inscriptions en attente, sur la liste, sont validées automatiquement.",
            self.auto_approved,
        )

    @property
    def kept_absent_message(self) -> str:
        """Why people absent from the file are still on the list, or ""."""
        if not self.kept_absent:
            return ""
        return counted(
            "%(count)d personne absente du fichier reste sur la liste : des lignes n'ont pas pu être "
            "lues. Corrigez-les et importez de nouveau la liste complète.",
            "%(count)d personnes absentes du fichier restent sur la liste : des lignes n'ont pas pu "
            "être lues. Corrigez-les et importez de nouveau la liste complète.",
            self.kept_absent,
        )


def counted(singular: str, plural: str, count: int) -> str:
    """``ngettext`` for French: zero takes the singular ("0 ajoutée"), which the source strings'
    own plural rule (English's) would not give."""
    return ngettext(singular, plural, count or 1) % {"count": count}


def _name(person: RosterEntry | RosterLine) -> str:
    return f"{person.first_name} {person.last_name} ({person.email})"


def _note(names: list[str], person: RosterEntry | RosterLine, detail: str = "") -> None:
    if len(names) < REPORT_NAMES_LIMIT:
        names.append(f"{_name(person)} : {detail}" if detail else _name(person))


def _changed_fields(entry: RosterEntry, line: RosterLine) -> list[str]:
    return [
        str(RosterEntry._meta.get_field(name).verbose_name)
        for name in LINE_FIELDS
        if getattr(entry, name) != getattr(line, name)
    ]


def roster_replace(
    *,
    structure: Structure,
    content: bytes,
    file_name: str,
    acting_user: User | None,
    dry_run: bool = False,
) -> RosterReport:
    """Replace the staff list of ``structure`` by the CSV ``content`` (a full export).

    Every line read is on the list afterwards, up to date (``roster_import`` is this upload);
    a person of the list absent from the file is marked gone (``removed_at``, never deleted);
    one who comes back is current again. Nobody is taken for gone for a line that could not be
    read: a rejected line whose address is readable leaves that person's line untouched, and a
    rejected line without a readable address leaves everyone absent on the list
    (``kept_absent``). A file that cannot be read at all raises
    ``ceplus.csv_files.CsvFileError`` and changes nothing.

    One transaction, the structure locked (two uploads never interleave); it records the upload
    (``RosterImport``, with at most ``STORED_REJECTED_LINES`` rejected lines) and an
    ``Event`` whose description gives the counts, never the file's content. ``dry_run``
    ("Simuler") writes nothing and reports the same. ``acting_user`` must see the structure
    (``PermissionDenied`` otherwise); ``None`` is the system (the command).
    """
    if acting_user is not None and not may_see_structure(acting_user, structure.pk):
        raise PermissionDenied
    parsed = roster_file_read(content)
    report = RosterReport(
        structure=structure,
        dry_run=dry_run,
        line_count=parsed.line_count,
        rejected=[(line.number, line.reason) for line in parsed.rejected],
        ignored_columns=parsed.ignored_columns,
    )
    with transaction.atomic():
        Structure.objects.select_for_update().get(pk=structure.pk)
        plan = _plan(structure, parsed, report)
        if not dry_run:
            _apply(structure, plan, report, acting_user, file_name)
            # A structure that lets its list validate: the registrations now on it.
            report.auto_approved = pending_auto_approve(structure=Structure.objects.get(pk=structure.pk))
    return report


@dataclass
class _Plan:
    """What an upload writes: new lines, lines brought up to date (or back), lines untouched
    but listed again, lines gone."""

    new: list[RosterEntry] = field(default_factory=list)
    updated: list[RosterEntry] = field(default_factory=list)
    relisted: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    before: int = 0


def _plan(structure: Structure, parsed: RosterFile, report: RosterReport) -> _Plan:
    """Compare the file with the list in place; fill ``report``'s counts and names."""
    plan = _Plan()
    entries = {entry.email: entry for entry in RosterEntry.objects.filter(structure=structure)}
    plan.before = sum(1 for entry in entries.values() if entry.removed_at is None)
    for line in parsed.lines:
        entry = entries.get(line.email)
        if entry is None:
            plan.new.append(
                RosterEntry(
                    structure=structure,
                    email=line.email,
                    name_key=line.name_key,
                    **{name: getattr(line, name) for name in LINE_FIELDS},
                )
            )
            report.added += 1
            _note(report.added_names, line)
            continue
        differences = _changed_fields(entry, line)
        if entry.removed_at is not None:
            report.added += 1
            _note(report.added_names, line, _("de retour sur la liste"))
        elif differences:
            report.changed += 1
            _note(report.changed_names, line, ", ".join(differences))
        else:
            report.unchanged += 1
            _note(report.unchanged_names, line)
            plan.relisted.append(entry.pk)
            continue
        for name in LINE_FIELDS:
            setattr(entry, name, getattr(line, name))
        entry.name_key = line.name_key
        entry.removed_at = None
        plan.updated.append(entry)
    in_file = {line.email for line in parsed.lines} | {line.email for line in parsed.rejected if line.email}
    absent = sorted(
        (entry for entry in entries.values() if entry.removed_at is None and entry.email not in in_file),
        key=lambda entry: (entry.last_name, entry.first_name, entry.email),
    )
    if parsed.has_unreadable_lines:
        report.kept_absent = len(absent)
        for entry in absent:
            _note(report.kept_absent_names, entry)
    else:
        report.removed = len(absent)
        for entry in absent:
            _note(report.removed_names, entry)
        plan.gone = [entry.pk for entry in absent]
    return plan


def _apply(
    structure: Structure,
    plan: _Plan,
    report: RosterReport,
    acting_user: User | None,
    file_name: str,
) -> None:
    upload = RosterImport.objects.create(
        structure=structure,
        uploaded_by=acting_user if acting_user is not None and acting_user.pk else None,
        file_name=file_name[:255],
        line_count=report.line_count,
        added=report.added,
        changed=report.changed,
        removed=report.removed,
        rejected=len(report.rejected),
        rejected_lines=[[number, reason] for number, reason in report.rejected[:STORED_REJECTED_LINES]],
    )
    for entry in plan.new:
        entry.roster_import = upload
    RosterEntry.objects.bulk_create(plan.new, batch_size=BATCH_SIZE)
    for entry in plan.updated:
        entry.roster_import = upload
    RosterEntry.objects.bulk_update(
        plan.updated, [*LINE_FIELDS, "name_key", "removed_at", "roster_import"], batch_size=BATCH_SIZE
    )
    RosterEntry.objects.filter(pk__in=plan.relisted).update(roster_import=upload)
    RosterEntry.objects.filter(pk__in=plan.gone).update(removed_at=timezone.now())
    after = RosterEntry.objects.filter(structure=structure, removed_at__isnull=True).count()
    description = report.summary
    if report.kept_absent:
        description += " " + report.kept_absent_message
    event_record(
        kind=Event.Kind.ROSTER_IMPORTED,
        acting_user=acting_user,
        structure=structure,
        description=description,
        changes=[
            {
                "field": _("personnes sur la liste du personnel"),
                "before": str(plan.before),
                "after": str(after),
            }
        ],
    )
    report.roster_import = upload
