from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    """The database cache's table (``CACHES``), as ``createcachetable`` makes it, so that
    ``migrate`` alone gives a working site: the rate limits of CONNEXION, the reset and the
    signup write to it, and a deployer who forgot the separate command got 500s. The command
    leaves an existing table alone, and does nothing when the cache is not the database's
    (``REDIS_URL``)."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("ceplus", "0002_outgoingemail_recipient"),
    ]

    operations = [
        # Reversed, the table stays: it holds only what can be lost, and other code may use it.
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
