"""``SESSION_ENGINE = "ceplus.sessions.db"``: Django's database store (see ``ceplus.sessions``)."""

from django.contrib.sessions.backends import db

from ceplus.sessions import NewKeyWithoutLookup


class SessionStore(NewKeyWithoutLookup, db.SessionStore):
    pass
