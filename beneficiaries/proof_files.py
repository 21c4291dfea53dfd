"""What a proof's file may be: a PDF, a JPEG or a PNG (a phone's photo) of 5 MB at most, its
type read from its first bytes, never from its name or from what the browser said. A name that
says otherwise is refused too: the person chose another file than they think."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from beneficiaries.models import ProofFile

MAX_BYTES = ProofFile.MAX_BYTES
EXTENSIONS = {
    ProofFile.ContentType.PDF: {".pdf"},
    ProofFile.ContentType.JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
    ProofFile.ContentType.PNG: {".png"},
}


class ProofFileError(ValueError):
    """A file that cannot be a proof; the message says why, in French, and what to do."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str


def sniff(content: bytes) -> str | None:
    """The file's type from its first bytes, or ``None`` when it is none of those accepted."""
    if content.startswith(b"%PDF-"):
        return ProofFile.ContentType.PDF
    if content.startswith(b"\xff\xd8\xff"):
        return ProofFile.ContentType.JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ProofFile.ContentType.PNG
    return None


def megabytes(size: int) -> str:
    """12_345_678 → "11,8 Mo" (French decimals), rounded up: a file over the limit never reads as
    the limit itself."""
    tenths = -(-size * 10 // (1024 * 1024))
    return f"{tenths // 10},{tenths % 10} Mo"


def check_proof_file(name: str, content: bytes) -> CheckedFile:
    """``content`` as a proof's file, or ``ProofFileError`` with the French reason."""
    if not content:
        raise ProofFileError(_("Le fichier choisi est vide : choisissez un autre fichier."))
    if len(content) > MAX_BYTES:
        raise ProofFileError(too_large_message(len(content)))
    content_type = sniff(content)
    if content_type is None:
        raise ProofFileError(
            _(
                "Ce fichier n'est ni un PDF, ni une photo JPEG, ni une image PNG : envoyez le "
                "justificatif dans l'un de ces formats (une photo prise avec votre téléphone convient)."
            )
        )
    extension = PurePath(name or "").suffix.lower()
    if extension and extension not in EXTENSIONS[content_type]:
        raise ProofFileError(
            _(
                "Le nom du fichier se termine par « %(extension)s » mais son contenu est au format "
                "%(type)s : vérifiez que c'est le bon fichier, puis envoyez-le sous un nom qui se "
                "termine par « %(expected)s »."
            )
            % {
                "extension": extension,
                "type": ProofFile.ContentType(content_type).label,
                "expected": f".{ProofFile.EXTENSIONS[content_type]}",
            }
        )
    return CheckedFile(content=content, content_type=content_type)


def too_large_message(size: int | None = None) -> str:
    if size is None:
        return _(
            "Le fichier dépasse 5 Mo, la taille maximale : prenez la photo en qualité moindre ou "
            "envoyez un PDF plus léger."
        )
    return _(
        "Le fichier fait %(size)s, plus que les 5 Mo acceptés : prenez la photo en qualité moindre "
        "ou envoyez un PDF plus léger."
    ) % {"size": megabytes(size)}
