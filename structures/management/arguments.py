"""What the structures' commands read from their command line."""

from pathlib import Path

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from structures.models import Structure


def add_file_arguments(parser, *, structure_help: str) -> None:
    """A CSV file for a structure, and ``--dry-run`` (``--simuler``): what an import reads."""
    parser.add_argument("file", help="Chemin du fichier CSV.")
    parser.add_argument("--structure", required=True, help=structure_help)
    parser.add_argument(
        "--dry-run",
        "--simuler",
        action="store_true",
        dest="dry_run",
        help="Vérifie le fichier et affiche le rapport sans rien enregistrer.",
    )


def structure_argument(value: str) -> Structure:
    """The structure named by ``--structure``: its exact name (any case) or its id."""
    value = value.strip()
    query = Q(name__iexact=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    matches = list(Structure.objects.filter(query)[:2])
    if len(matches) != 1:
        raise CommandError(_("Structure « %(value)s » introuvable (nom exact ou numéro).") % {"value": value})
    return matches[0]


def file_argument(path: str) -> bytes:
    """The content of the file a command is given, or a ``CommandError`` in French."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(
            _("Impossible de lire « %(file)s » : %(error)s.") % {"file": path, "error": error.strerror}
        ) from error
