"""A new session is one INSERT: no lookup of its key before (``ceplus.sessions``); a key drawn
twice is still refused by the INSERT and another one drawn."""

import pytest
from django.contrib.sessions.backends.base import CreateError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ceplus.sessions import cached_db, db

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("store_class", [db.SessionStore, cached_db.SessionStore])
def test_a_new_session_is_inserted_without_looking_its_key_up(store_class):
    store = store_class()
    store["probe"] = 1
    with CaptureQueriesContext(connection) as queries:
        store.create()
    selects = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "django_session" in q["sql"]
    ]
    assert selects == []
    assert store_class(session_key=store.session_key).exists(store.session_key)


def test_a_key_already_taken_is_refused_and_another_one_drawn(monkeypatch):
    taken = db.SessionStore()
    taken.create()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(db.SessionStore, "_get_new_session_key", lambda self: next(keys))
    store = db.SessionStore()
    store.create()
    assert store.session_key == "b" * 32
    duplicate = db.SessionStore(session_key=taken.session_key)
    with pytest.raises(CreateError):
        duplicate.save(must_create=True)
