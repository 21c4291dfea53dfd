"""``SESSION_ENGINE = "ceplus.sessions.cached_db"``: Django's cache-backed database store (see
``ceplus.sessions``)."""

from django.contrib.sessions.backends import cached_db

from ceplus.sessions import NewKeyWithoutLookup


class SessionStore(NewKeyWithoutLookup, cached_db.SessionStore):
    pass
