"""Django's session stores (``SESSION_ENGINE``), without the lookup that comes before a new
session's INSERT.

Django draws a new key and asks the database whether it is taken before inserting it; the
INSERT itself (``save(must_create=True)``) refuses a taken key and ``create()`` then draws
another. With 32 random characters (over 160 bits) a taken key does not happen: the lookup is a
query for nothing on every new session (each invitation link opened, each login).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class NewKeyWithoutLookup:
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self) -> str:
        return self._get_new_session_key()
