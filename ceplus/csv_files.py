"""CSV files as a spreadsheet exports them: the reading every import of the product shares, and
the writing of every export (``csv_download``).

A file is read in memory (it holds personal data: never written to disk) into its header and
its rows, each with the number of its line in the file, so that a report can say "ligne 4 : …".
Excel's ways are understood: UTF-8 with or without BOM (and, where the caller allows it,
Windows-1252 as older versions save it), ``;`` or ``,`` (or a tab) as separator, blank lines.
A file that cannot be read as a whole raises :class:`CsvFileError`, whose message says in French
what to do; the lines themselves are the caller's to check.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ceplus.text import clean_line, fold

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# The separators tried on the header line, the first winning a tie.
DELIMITERS = (";", ",", "\t")
# What a spreadsheet saves when it is not asked for CSV: its own formats.
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

# The columns of a person, under the names the spreadsheets of our structures give them.
PERSON_COLUMNS = {
    "nom": "last_name",
    "nom de famille": "last_name",
    "prenom": "first_name",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse email": "email",
    "adresse e-mail": "email",
    "adresse mail": "email",
}

SPLIT_ADVICE = gettext_lazy("découpez-le en plusieurs fichiers.")
NO_ROWS = gettext_lazy("Le fichier ne contient aucune ligne sous sa ligne d'en-tête.")
EXTRA_CELLS = gettext_lazy(
    "plus de cellules que de colonnes (un séparateur dans une valeur ? mettez-la entre guillemets)"
)

_HEADER_NOISE = re.compile(r"\s*\([^()]*\)\s*$")
_HEADER_SEPARATORS = re.compile(r"[\s_-]+")


class CsvFileError(Exception):
    """The file as a whole cannot be read (encoding, format, header, size): nothing is done
    with it. The message says why, in French, for the person who sent it."""


@dataclass
class CsvTable:
    """A file's header and its non-blank rows, each as (line number in the file, cells)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def decode_text(content: bytes, *, windows_1252: bool = True) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM), or Windows-1252 as an older
    Excel saves it (``windows_1252``), never a workbook or a binary file."""
    if content.startswith(WORKBOOK_SIGNATURES):
        raise CsvFileError(
            _(
                "Ce fichier est un classeur Excel, pas un fichier CSV : dans votre tableur, choisissez "
                "« Enregistrer sous », le format « CSV UTF-8 », puis recommencez."
            )
        )
    if b"\x00" in content:
        raise CsvFileError(_("Ce fichier n'est pas un fichier CSV (texte)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if not windows_1252:
            raise CsvFileError(
                _(
                    "Le fichier n'est pas en UTF-8. Dans votre tableur, enregistrez-le au format "
                    "« CSV UTF-8 » puis recommencez."
                )
            ) from error
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise CsvFileError(
                _(
                    "Le fichier n'est ni en UTF-8 ni en Windows-1252. Dans votre tableur, enregistrez-le "
                    "au format « CSV UTF-8 » puis recommencez."
                )
            ) from error
    return text


def too_big_message(max_bytes: int, advice: str = SPLIT_ADVICE) -> str:
    """What a file over ``max_bytes`` is told (also by an upload page that drops it unread)."""
    return _("Le fichier dépasse %(size)d Mo : %(advice)s") % {
        "size": max_bytes // (1024 * 1024),
        "advice": advice,
    }


def read_csv(
    content: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_lines: int = MAX_LINES,
    windows_1252: bool = False,
    too_big_advice: str = SPLIT_ADVICE,
    no_rows: str = NO_ROWS,
) -> CsvTable:
    """The header and rows of ``content``; :class:`CsvFileError` for an empty, oversized,
    malformed or header-only file (``no_rows`` says that last one in the caller's words)."""
    if len(content) > max_bytes:
        raise CsvFileError(too_big_message(max_bytes, too_big_advice))
    text = decode_text(content, windows_1252=windows_1252)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise CsvFileError(_("Le fichier est vide."))
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if header is None:
                header = values
                continue
            rows.append((reader.line_num, values))
            if len(rows) > max_lines:
                raise CsvFileError(
                    _("Le fichier dépasse %(max)d lignes : %(advice)s")
                    % {"max": max_lines, "advice": too_big_advice}
                )
    except csv.Error as error:
        raise CsvFileError(
            _("Le fichier est mal formé près de la ligne %(line)d : %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    if not rows:
        raise CsvFileError(str(no_rows))
    return CsvTable(header=header or [], rows=rows)


def header_key(title: str) -> str:
    """A column's title as it is compared: no accents, case, "*" of a required column, hint in
    brackets, and "_" or "-" read as spaces ("Date_Sortie (jj/mm/aaaa)" is "date sortie")."""
    folded = _HEADER_NOISE.sub("", fold(title)).strip(" *:")
    return _HEADER_SEPARATORS.sub(" ", folded).strip()


def match_columns(
    header: list[str], names: Mapping[str, str], required: Mapping[str, str]
) -> tuple[dict[str, int], list[str]]:
    """The position of each known column (``names``: title → key, titles compared by
    :func:`header_key`) and the titles of the columns ignored. A column given twice or a
    ``required`` one (key → title as the message names it) missing is a :class:`CsvFileError`."""
    keys = {header_key(title): key for title, key in names.items()}
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        key = keys.get(header_key(title))
        if key is None:
            if title.strip():
                ignored.append(clean_line(title))
            continue
        if key in columns:
            raise CsvFileError(
                _("La colonne « %(column)s » apparaît deux fois dans l'en-tête.")
                % {"column": clean_line(title)}
            )
        columns[key] = index
    missing = [label for key, label in required.items() if key not in columns]
    if missing:
        raise CsvFileError(
            _(
                "Colonnes obligatoires absentes de la première ligne : %(missing)s. Vérifiez l'en-tête "
                "et le séparateur (point-virgule ou virgule)."
            )
            % {"missing": ", ".join(missing)}
        )
    return columns, ignored


def has_extra_cells(values: list[str], width: int) -> bool:
    """Whether a row has filled cells beyond the header's columns (then :data:`EXTRA_CELLS`)."""
    return len(values) > width and any(value.strip() for value in values[width:])


def cell(values: list[str], columns: Mapping[str, int], key: str) -> str:
    """The cell of column ``key`` in a row, as one clean line ("" when the row is short)."""
    index = columns.get(key)
    if index is None or index >= len(values):
        return ""
    return clean_line(values[index])


def parse_date(value: str) -> datetime.date | None:
    """A date as a French spreadsheet writes it (jj/mm/aaaa; also aaaa-mm-jj, jj-mm-aaaa,
    jj.mm.aaaa), or ``None`` when it is not one."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


# --- Exports ---------------------------------------------------------------------------------------


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_text(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab, CR) would make it a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def csv_download(
    filename: str, titles: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV file for Excel (UTF-8 with BOM, ";" separator, CRLF), its ``titles`` then ``rows``
    read lazily, streamed so that a long list never sits in memory; every cell as text."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff"
        yield writer.writerow([str(title) for title in titles])
        for row in rows:
            yield writer.writerow([spreadsheet_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
