"""Password validators added to Django's own."""

import gzip
from functools import cached_property
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ceplus.text import fold


class FrenchCommonPasswordValidator:
    """Refuse the passwords French speakers pick most (``motdepasse``, ``azertyuiop``…).

    Django's list is mostly English; this one adds French words and keyboard walks. The
    comparison ignores case and accents.
    """

    path = Path(__file__).resolve().parent / "data" / "common_passwords_fr.txt.gz"

    @cached_property
    def passwords(self) -> frozenset[str]:
        with gzip.open(self.path, "rt", encoding="utf-8") as lines:
            return frozenset(fold(line) for line in lines if line.strip())

    def validate(self, password: str, user=None) -> None:
        if fold(password) in self.passwords:
            raise ValidationError(
                _("Ce mot de passe est trop courant : choisissez-en un moins facile à deviner."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Votre mot de passe ne peut pas être un mot de passe courant.")
