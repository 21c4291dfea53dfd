"""The user model: email as the login, stored lowercase, unique whatever its case."""

import pytest
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_email_is_stored_lowercase():
    user = User.objects.create_user("Marie.Martin@Example.ORG", "x", first_name="Marie", last_name="Martin")
    user.refresh_from_db()
    assert user.email == "marie.martin@example.org"


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case():
    User.objects.create_user("marie@example.org", "x", first_name="M", last_name="M")
    # Bypass save()'s normalisation: the database constraint itself must refuse.
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="MARIE@example.org", first_name="M", last_name="M")])


@pytest.mark.django_db
def test_natural_key_lookup_ignores_case():
    user = User.objects.create_user("marie@example.org", "x", first_name="M", last_name="M")
    assert User.objects.get_by_natural_key("MARIE@Example.org") == user


@pytest.mark.django_db
def test_a_new_account_is_pending_and_active():
    """Pending is a status of our own: the account stays active so it can reset a password."""
    user = User.objects.create_user("marie@example.org", "x", first_name="M", last_name="M")
    assert user.status == User.Status.PENDING
    assert user.is_active


@pytest.mark.django_db
def test_superuser_is_staff_and_approved():
    user = User.objects.create_superuser("admin@example.org", "x", first_name="A", last_name="B")
    assert user.is_staff
    assert user.is_superuser
    assert user.status == User.Status.APPROVED


@pytest.mark.django_db
@pytest.mark.real_hashers
def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user(
        "marie@example.org", "un mot de passe long", first_name="M", last_name="M"
    )
    assert user.password.startswith("argon2$")


@pytest.mark.django_db
def test_phone_is_stored_in_e164():
    user = User.objects.create_user(
        "m@example.org", "x", first_name="M", last_name="M", phone="06 12 34 56 78"
    )
    assert User.objects.filter(pk=user.pk).values_list("phone", flat=True).get() == "+33612345678"
