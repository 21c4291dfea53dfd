"""Stored addresses in the one form the code now stores and compares (``normalize_email``):
Unicode NFKC, the domain in its IDNA ASCII form, lowercase.

A row whose normalised address another row of its table already holds (two accounts that were
one mailbox all along) is left as it is and reported by ids, for staff to sort out by hand: the
migration never merges accounts. Invitations have no such uniqueness (an address may have been
invited several times), so they are all normalised.
"""

import contextlib
import sys
import unicodedata

from django.db import IntegrityError, migrations, transaction


def _normalise(email: str) -> str:
    # A copy of accounts.models.normalize_email as it was when this migration was written:
    # migrations must not change when the app's code does.
    email = unicodedata.normalize("NFKC", email or "").strip()
    local, at, domain = email.rpartition("@")
    if at and domain:
        with contextlib.suppress(UnicodeError):  # the validators refuse it
            domain = domain.encode("idna").decode("ascii")
        email = f"{local}@{domain}"
    return email.lower()


def _normalise_table(model, label: str, stdout, *, unique: bool) -> None:
    rows = list(model.objects.order_by("pk").values_list("pk", "email"))
    holders: dict[str, int] = {}
    for pk, email in rows:
        holders.setdefault(email.lower(), pk)
    for pk, email in rows:
        normalised = _normalise(email)
        if normalised == email:
            continue
        holder = holders.get(normalised)
        if unique and holder is not None and holder != pk:
            stdout.write(
                f"Adresse laissée telle quelle : {label} id={pk}, sa forme normalisée est déjà "
                f"celle de id={holder}.\n"
            )
            continue
        try:
            with transaction.atomic():
                model.objects.filter(pk=pk).update(email=normalised)
        except IntegrityError:
            stdout.write(
                f"Adresse laissée telle quelle : {label} id={pk}, sa forme normalisée enfreint "
                "une contrainte d'unicité.\n"
            )
            continue
        holders[normalised] = pk


def normalise_emails(apps, schema_editor, stdout=None) -> None:
    stdout = stdout or sys.stdout
    _normalise_table(apps.get_model("accounts", "User"), "accounts.User", stdout, unique=True)
    _normalise_table(apps.get_model("account", "EmailAddress"), "account.EmailAddress", stdout, unique=True)
    _normalise_table(
        apps.get_model("structures", "Invitation"), "structures.Invitation", stdout, unique=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_load_job_titles"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("structures", "0003_managers_group"),
    ]

    operations = [migrations.RunPython(normalise_emails, migrations.RunPython.noop)]
