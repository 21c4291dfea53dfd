"""`migrate` alone makes a working site: the database cache's table, which the rate limits of
CONNEXION, the reset and the signup write to, is made by a migration, not by a separate
`createcachetable` a deployer can forget (the site answered 500 while /healthz said ok)."""

import html

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = ("ceplus", "0003_cache_table")


def database_cache_tables() -> list[str]:
    return [caches[alias]._table for alias in settings.CACHES if isinstance(caches[alias], BaseDatabaseCache)]


def drop_tables(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("DROP TABLE IF EXISTS " + connection.ops.quote_name(table))


def apply_the_migration() -> None:
    """What `migrate` does on a fresh database for this migration: run it, then record it."""
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration(*MIGRATION)
    MigrationRecorder(connection).migration_qs.filter(app=MIGRATION[0], name=MIGRATION[1]).delete()
    state = executor.loader.project_state(MIGRATION, at_end=False)
    executor.apply_migration(state, migration)


@pytest.fixture
def without_cache_table():
    """A database as `migrate` leaves it before the cache's migration; the table is back after."""
    tables = database_cache_tables()
    if not tables:
        pytest.skip("the cache is not the database's (REDIS_URL)")
    drop_tables(tables)
    yield tables
    call_command("createcachetable", verbosity=0)


def test_migrate_records_the_cache_migration():
    assert MIGRATION in MigrationRecorder(connection).applied_migrations()


def test_connexion_works_on_a_database_made_by_migrate_alone(client, without_cache_table):
    # given the migration run, and nothing else
    apply_the_migration()
    assert set(without_cache_table) <= set(connection.introspection.table_names())

    # when a person opens CONNEXION and gets the password wrong (a failure the rate limit counts)
    page = client.get(reverse("account_login"))
    failed = client.post(reverse("account_login"), {"login": "marie@example.org", "password": "pas le bon"})

    # then both pages answer
    assert page.status_code == 200
    assert failed.status_code == 200
    assert "L'adresse email ou le mot de passe est incorrect." in html.unescape(failed.content.decode())


def test_the_migration_keeps_an_existing_cache_table_and_its_content():
    if not database_cache_tables():
        pytest.skip("the cache is not the database's (REDIS_URL)")
    caches["default"].set("kept", "still here", 60)
    apply_the_migration()
    apply_the_migration()
    assert caches["default"].get("kept") == "still here"
