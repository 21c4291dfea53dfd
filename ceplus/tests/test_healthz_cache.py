"""/healthz checks the cache too: rate limits (CONNEXION, the reset, the signup) need it, so a
machine whose cache does not answer must leave the load balancer's pool."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import OperationalError, connection

from ceplus.tests.test_cache_table_migration import database_cache_tables, drop_tables


def refuse(*args, **kwargs):
    raise OperationalError("cache unreachable")


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_raises(client, monkeypatch):
    monkeypatch.setattr(type(caches["default"]), "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "cache": "unreachable"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_keeps_nothing(client, monkeypatch):
    monkeypatch.setattr(type(caches["default"]), "get", lambda self, key, default=None, version=None: default)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "cache": "unreachable"}


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_cache_table_is_missing(client):
    tables = database_cache_tables()
    if not tables:
        pytest.skip("the cache is not the database's (REDIS_URL)")
    drop_tables(tables)
    try:
        response = client.get("/healthz")
    finally:
        call_command("createcachetable", verbosity=0)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "cache": "unreachable"}
    assert connection.is_usable()
