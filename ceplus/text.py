"""Small text helpers shared by the apps."""

import re
import unicodedata

from django.utils.translation import gettext, ngettext

_SPACES = re.compile(r"\s+")
# Control characters (C0, C1, DEL) never belong in a name, an address or a mail header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def fold(value: str) -> str:
    """Lowercase ``value`` without accents, for accent- and case-insensitive search.

    >>> fold("Agent de  Sécurité")
    'agent de securite'
    """
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped).strip().casefold()


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def name_key(last_name: str, first_name: str) -> str:
    """A person's name as two names are compared: accents, case, hyphens and spacing ignored.

    >>> name_key("Le  Goff", "Jean-Élie")
    'le goff|jean elie'
    """

    def words(value: str) -> str:
        return _NOT_ALNUM.sub(" ", fold(value)).strip()

    return f"{words(last_name)}|{words(first_name)}"


def days_in_words(days: int) -> str:
    """A number of calendar days as a wait is said: "aujourd'hui", "hier", "12 jours"."""
    if days <= 0:
        return gettext("aujourd'hui")
    if days == 1:
        return gettext("hier")
    return ngettext("%(days)d jour", "%(days)d jours", days) % {"days": days}


def clean_line(value: str) -> str:
    """One line of text as a person meant it: no control characters, single spaces."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFC", value))).strip()


# Messages list at most this many names or addresses, then say how many more.
MESSAGE_LIST_LIMIT = 10


def short_list(items: list) -> str:
    """``a, b, c et 12 autres``: a list as a message shows it, never endless."""
    shown = ", ".join(str(item) for item in items[:MESSAGE_LIST_LIMIT])
    rest = len(items) - MESSAGE_LIST_LIMIT
    if rest > 0:
        shown += ngettext(" et %(count)d autre", " et %(count)d autres", rest) % {"count": rest}
    return shown
