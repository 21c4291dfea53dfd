from pathlib import Path

from django.db import migrations

from ceplus.text import fold

DATA = Path(__file__).resolve().parent.parent / "data" / "fonctions.txt"


def load_job_titles(apps, schema_editor):
    """Ship the reference list of job titles that staff then keep up to date in the admin."""
    JobTitle = apps.get_model("accounts", "JobTitle")
    names = [line.strip() for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    JobTitle.objects.bulk_create(
        [JobTitle(name=name, search_name=fold(name)) for name in names], ignore_conflicts=True
    )


def unload_job_titles(apps, schema_editor):
    apps.get_model("accounts", "JobTitle").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(load_job_titles, unload_job_titles)]
