"""The data migration puts the addresses stored before normalisation in the normalised form,
and leaves (and reports) a row whose normalised address another row already holds."""

import importlib
import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps

from accounts.models import User
from ceplus.tests import factories
from structures.models import Invitation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0004_normalise_emails")


def store_raw(model, pk: int, email: str) -> None:
    """Write the address as older code did, past ``User.save``'s normalisation."""
    model.objects.filter(pk=pk).update(email=email)


def run() -> str:
    out = io.StringIO()
    migration.normalise_emails(apps, None, stdout=out)
    return out.getvalue()


def test_existing_addresses_are_normalised():
    # given: rows written before the normalisation, with fullwidth letters in the domain
    user = factories.MemberFactory()
    store_raw(User, user.pk, "Marie@\uff45xample.org")
    address = EmailAddress.objects.create(user=user, email="x@example.org", primary=True, verified=True)
    store_raw(EmailAddress, address.pk, "marie@\uff45xample.org")
    invitation = factories.InvitationFactory(kind=Invitation.Kind.PERSONAL, email="x@example.org")
    store_raw(Invitation, invitation.pk, "Zoe@Caf\u00e9.fr")

    # when
    output = run()

    # then
    assert output == ""
    assert User.objects.get(pk=user.pk).email == "marie@example.org"
    assert EmailAddress.objects.get(pk=address.pk).email == "marie@example.org"
    assert Invitation.objects.get(pk=invitation.pk).email == "zoe@xn--caf-dma.fr"


def test_a_collision_leaves_the_row_unchanged_and_is_reported():
    # given: two accounts that normalising would merge into one address
    owner = factories.MemberFactory(email="marie@example.org")
    twin = factories.MemberFactory()
    store_raw(User, twin.pk, "marie@\uff45xample.org")
    owner_address = EmailAddress.objects.create(user=owner, email="marie@example.org", primary=True)
    twin_address = EmailAddress.objects.create(user=twin, email="x@example.org", primary=True)
    store_raw(EmailAddress, twin_address.pk, "marie@\uff45xample.org")

    # when
    output = run()

    # then: nothing merged, both collisions named by their ids, and the migration went on
    assert User.objects.get(pk=twin.pk).email == "marie@\uff45xample.org"
    assert User.objects.get(pk=owner.pk).email == "marie@example.org"
    assert EmailAddress.objects.get(pk=twin_address.pk).email == "marie@\uff45xample.org"
    assert output.splitlines() == [
        f"Adresse laissée telle quelle : accounts.User id={twin.pk}, sa forme normalisée est déjà "
        f"celle de id={owner.pk}.",
        f"Adresse laissée telle quelle : account.EmailAddress id={twin_address.pk}, sa forme "
        f"normalisée est déjà celle de id={owner_address.pk}.",
    ]
    assert "marie" not in output  # ids only: deployment logs hold no addresses


def test_two_unnormalised_rows_of_one_address_keep_the_first_and_report_the_second():
    first, second = factories.MemberFactory(), factories.MemberFactory()
    store_raw(User, first.pk, "Marie@\uff45xample.org")
    store_raw(User, second.pk, "marie@e\uff58ample.org")  # a fullwidth "x" this time
    output = run()
    assert User.objects.get(pk=first.pk).email == "marie@example.org"
    assert User.objects.get(pk=second.pk).email == "marie@e\uff58ample.org"
    assert output == (
        f"Adresse laissée telle quelle : accounts.User id={second.pk}, sa forme normalisée est déjà "
        f"celle de id={first.pk}.\n"
    )


def test_the_migration_is_a_named_runpython_with_a_noop_reverse():
    (operation,) = migration.Migration.operations
    assert operation.code is migration.normalise_emails
    assert operation.reversible
