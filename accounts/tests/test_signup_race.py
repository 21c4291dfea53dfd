"""A double click, or ten simultaneous submissions of the same registration, make one account,
one set of emails and no error page, on PostgreSQL (S6)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Address, Consent, User
from accounts.signup import services
from accounts.tests.signup_helpers import (
    ACCOUNT,
    consents,
    ready_invitation,
    registration_details,
    walk_to_validation,
)
from beneficiaries.models import Beneficiary
from ceplus.models import OutgoingEmail
from ceplus.tests import factories
from structures.models import Invitation

pytestmark = pytest.mark.django_db(transaction=True)


def submit_at_once(clients: list[Client]) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(reverse("signup_validation"), consents()).status_code)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def same_session(client: Client, count: int) -> list[Client]:
    """``count`` browsers sharing one session: one person's double click, or several tabs."""
    clients = []
    for _ in range(count):
        other = Client()
        other.cookies = client.cookies
        clients.append(other)
    return clients


@pytest.mark.parametrize("kind", [Invitation.Kind.SHARED, Invitation.Kind.PERSONAL])
def test_ten_simultaneous_submissions_make_one_account(client, kind):
    structure = factories.StructureFactory()
    factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    extra = {"email": ACCOUNT["email"]} if kind == Invitation.Kind.PERSONAL else {}
    invitation = ready_invitation(structure=structure, kind=kind, **extra)
    walk_to_validation(client, invitation)

    statuses = submit_at_once(same_session(client, 10))

    assert len(statuses) == 10
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(302) >= 1
    member = User.objects.get(email=ACCOUNT["email"])
    assert Address.objects.filter(user=member).count() == 1
    assert Consent.objects.filter(user=member).count() == 3
    assert Beneficiary.objects.count() == 0
    # One "demande reçue", one manager email, and no "account already exists" to the person.
    received = OutgoingEmail.objects.filter(
        to=ACCOUNT["email"], template="accounts/email/registration_received"
    )
    assert received.count() == 1
    assert OutgoingEmail.objects.filter(to="rh@textiles.example").count() == 1
    assert not OutgoingEmail.objects.filter(template="account/email/account_already_exists").exists()


def test_two_people_racing_for_one_address_make_one_account(client):
    """Two separate wizards with the same address: one account; the other submission is told
    nothing on screen, and the address's owner is emailed."""
    invitation = ready_invitation()
    second = Client()
    walk_to_validation(client, invitation)
    walk_to_validation(second, invitation, account={**ACCOUNT, "first_name": "Usurpateur"})

    statuses = submit_at_once([client, second])

    assert sorted(statuses) == [302, 302]
    assert User.objects.filter(email=ACCOUNT["email"]).count() == 1
    assert OutgoingEmail.objects.filter(template="account/email/account_already_exists").count() == 1


def test_address_taken_between_the_check_and_the_insert(monkeypatch, django_capture_on_commit_callbacks):
    """Another registration with the address commits while this one is in flight (through
    another structure's link): the unique constraint stops this one, which ends like any known
    address, with no error."""
    invitation = ready_invitation()
    details = registration_details(invitation)
    other_structure = factories.StructureFactory()
    check_consents = services._check_consents

    def taken_meanwhile(consents):
        def register_elsewhere():
            try:
                factories.PendingMemberFactory(email=ACCOUNT["email"], structure=other_structure)
            finally:
                connection.close()

        thread = threading.Thread(target=register_elsewhere)
        thread.start()
        thread.join(timeout=30)
        check_consents(consents)

    monkeypatch.setattr(services, "_check_consents", taken_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registration_submit(**details) is None

    member = User.objects.get(email=ACCOUNT["email"])
    assert member.structure == other_structure
    assert not Address.objects.exists()
    assert OutgoingEmail.objects.filter(template="account/email/account_already_exists").count() == 1
