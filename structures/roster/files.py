"""The staff list's CSV file, read: its lines as the list will hold them, and the lines it
could not read with their reason in French. Pure: no database (``services`` compares them with
the list in place).

A rejected line keeps the address it gave when that address can be read (``RejectedLine.email``):
the person behind it is then known to be in the file, and the upload leaves their line alone
instead of taking them for gone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import normalize_email
from ceplus.csv_files import (
    EXTRA_CELLS,
    MAX_BYTES,
    PERSON_COLUMNS,
    cell,
    has_extra_cells,
    match_columns,
    parse_date,
    read_csv,
)
from ceplus.text import name_key

MAX_LINES = 50_000
NAME_MAX_LENGTH = 150
EMPLOYEE_NUMBER_MAX_LENGTH = 50
EMAIL_MAX_LENGTH = 254
# The cells of text: key, name in a reason, required, longest.
TEXT_CELLS = (
    ("last_name", gettext_lazy("nom"), True, NAME_MAX_LENGTH),
    ("first_name", gettext_lazy("prénom"), True, NAME_MAX_LENGTH),
    ("employee_number", gettext_lazy("matricule"), False, EMPLOYEE_NUMBER_MAX_LENGTH),
)
DATE_CELLS = (("start_date", gettext_lazy("date d'entrée")), ("end_date", gettext_lazy("date de sortie")))
# A reason quotes at most this much of a cell.
SHOWN_MAX_LENGTH = 80

# Column headers, compared as ``ceplus.csv_files.header_key`` reads them: "Prenom", "E-mail",
# "Date de sortie", "date_sortie" and "DATE SORTIE (jj/mm/aaaa)" are all understood.
COLUMNS = {
    **PERSON_COLUMNS,
    "matricule": "employee_number",
    "numero de matricule": "employee_number",
    "no matricule": "employee_number",
    "n° matricule": "employee_number",
    "date entree": "start_date",
    "date d'entree": "start_date",
    "entree": "start_date",
    "date d'embauche": "start_date",
    "date embauche": "start_date",
    "date sortie": "end_date",
    "date de sortie": "end_date",
    "sortie": "end_date",
}
REQUIRED_COLUMNS = {"last_name": "nom", "first_name": "prénom", "email": "email"}

# A list is one file: splitting it would take the people of the other parts for gone.
TOO_BIG_ADVICE = gettext_lazy(
    "gardez seulement les colonnes utiles (nom, prénom, email, matricule, dates) : la liste doit "
    "tenir en un seul fichier."
)
NO_PEOPLE = gettext_lazy("Le fichier ne contient personne sous sa ligne d'en-tête.")

FORMAT_HELP = gettext_lazy(
    "Fichier CSV (enregistré depuis Excel ou un autre tableur, en UTF-8 ou Windows-1252), séparé "
    "par des points-virgules ou des virgules, avec une ligne d'en-tête. Colonnes : nom, prénom, "
    "email (obligatoires), matricule, date d'entrée, date de sortie (facultatives, au format "
    "jj/mm/aaaa). Chaque fichier remplace la liste précédente : envoyez toujours la liste complète."
)
EXAMPLE = (
    "nom;prénom;email;matricule;date d'entrée;date de sortie",
    "Martin;Marie;marie.martin@example.org;A0042;01/09/2019;",
    "Durand;Jean;jean.durand@example.org;A0107;15/01/2024;30/06/2026",
)


@dataclass(frozen=True)
class RosterLine:
    """One person of the file, as the list will hold them."""

    number: int
    last_name: str
    first_name: str
    email: str
    employee_number: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None

    @property
    def name_key(self) -> str:
        return name_key(self.last_name, self.first_name)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class RejectedLine:
    """A line that could not be read: its number, why (in French), and its address when that
    much was readable ("" otherwise)."""

    number: int
    reason: str
    email: str = ""


@dataclass
class RosterFile:
    lines: list[RosterLine]
    rejected: list[RejectedLine]
    ignored_columns: list[str]

    @property
    def line_count(self) -> int:
        return len(self.lines) + len(self.rejected)

    @property
    def has_unreadable_lines(self) -> bool:
        """Whether a rejected line hides who it is about: then nobody may be taken for gone."""
        return any(not line.email for line in self.rejected)


def roster_file_read(content: bytes) -> RosterFile:
    """The lines of a staff-list CSV file, each good one as a :class:`RosterLine` and each bad
    one as a :class:`RejectedLine`; ``ceplus.csv_files.CsvFileError`` for a file that cannot be
    read as a whole (nothing in it is used then). A second line with the same address is
    rejected, the first one counts."""
    table = read_csv(
        content,
        max_bytes=MAX_BYTES,
        max_lines=MAX_LINES,
        windows_1252=True,
        too_big_advice=TOO_BIG_ADVICE,
        no_rows=NO_PEOPLE,
    )
    columns, ignored = match_columns(table.header, COLUMNS, REQUIRED_COLUMNS)
    width = len(table.header)
    lines: list[RosterLine] = []
    rejected: list[RejectedLine] = []
    first_line_of: dict[str, int] = {}
    for number, values in table.rows:
        line, reasons, email = _parse(number, values, columns, width)
        if email and email in first_line_of:
            reasons.append(_("email en double (déjà ligne %(line)d)") % {"line": first_line_of[email]})
        elif email:
            first_line_of[email] = number
        if reasons:
            rejected.append(RejectedLine(number=number, reason=" ; ".join(reasons), email=email))
        else:
            lines.append(line)
    return RosterFile(lines=lines, rejected=rejected, ignored_columns=ignored)


def _parse(
    number: int, values: list[str], columns: dict[str, int], width: int
) -> tuple[RosterLine | None, list[str], str]:
    """One line: the person (``None`` when a reason is given), the reasons, and the readable
    address ("" when there is none)."""
    if has_extra_cells(values, width):
        # The cells are shifted: none of them, the address included, can be trusted.
        return None, [str(EXTRA_CELLS)], ""
    get = partial(cell, values, columns)
    reasons: list[str] = []
    email = _email(get("email"), reasons)
    texts = {key: get(key) for key, *_rule in TEXT_CELLS}
    for key, label, required, longest in TEXT_CELLS:
        if required and not texts[key]:
            reasons.append(_("%(field)s manquant") % {"field": label})
        elif len(texts[key]) > longest:
            reasons.append(
                _("%(field)s trop long (%(max)d caractères au plus)") % {"field": label, "max": longest}
            )
    dates = {key: _date(get(key), label, reasons) for key, label in DATE_CELLS}
    if dates["start_date"] and dates["end_date"] and dates["end_date"] < dates["start_date"]:
        reasons.append(_("date de sortie antérieure à la date d'entrée"))
    if reasons:
        return None, reasons, email
    return RosterLine(number=number, email=email, **texts, **dates), reasons, email


def _email(raw: str, reasons: list[str]) -> str:
    """The address of a line in its one stored form, or "" with a reason when it is missing or
    not an address."""
    if not raw:
        reasons.append(_("email manquant"))
        return ""
    email = normalize_email(raw)
    if len(email) <= EMAIL_MAX_LENGTH:
        try:
            validate_email(email)
        except ValidationError:
            pass
        else:
            return email
    reasons.append(_("adresse email invalide : « %(value)s »") % {"value": _shown(raw)})
    return ""


def _date(raw: str, label: str, reasons: list[str]) -> datetime.date | None:
    if not raw:
        return None
    day = parse_date(raw)
    if day is None:
        reasons.append(
            _("%(field)s invalide : « %(value)s » (jj/mm/aaaa)") % {"field": label, "value": _shown(raw)}
        )
    return day


def _shown(value: str) -> str:
    """A cell as a reason quotes it: enough to find it, never a whole swallowed file."""
    return value if len(value) <= SHOWN_MAX_LENGTH else value[:SHOWN_MAX_LENGTH] + "…"
