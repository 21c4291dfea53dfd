"""The submission is one transaction: a failure at any write (user, address, beneficiary,
consent, email address, history, email) leaves no row behind and sends nothing (S5)."""

import pytest
from allauth.account.models import EmailAddress
from django.db import DatabaseError

from accounts.models import Address, Consent, User
from accounts.signup.services import registration_submit
from accounts.tests.signup_helpers import registration_details
from beneficiaries.models import Beneficiary
from ceplus.models import LegalDocument, OutgoingEmail
from ceplus.tests import factories
from structures.models import Invitation, MembershipDecision

pytestmark = pytest.mark.django_db

WRITES = [User, Address, Beneficiary, Consent, EmailAddress, MembershipDecision, OutgoingEmail]


@pytest.mark.parametrize("model", WRITES, ids=lambda model: model.__name__)
@pytest.mark.parametrize("kind", [Invitation.Kind.SHARED, Invitation.Kind.PERSONAL])
def test_a_failure_at_any_write_leaves_nothing(
    monkeypatch, django_capture_on_commit_callbacks, mailoutbox, model, kind
):
    structure = factories.StructureFactory()
    factories.ManagerFactory(structures=[structure])
    extra = {"email": "marie.martin@example.org"} if kind == Invitation.Kind.PERSONAL else {}
    invitation = factories.InvitationFactory(structure=structure, kind=kind, **extra)
    arguments = registration_details(invitation)
    managers = set(User.objects.values_list("pk", flat=True))
    calls = []
    original = model.save

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        # Models written several times fail at the second row, once the first is in.
        if len(calls) == 2 or model in (User, Address, EmailAddress, MembershipDecision):
            raise DatabaseError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", failing_save)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DatabaseError):
        registration_submit(**arguments)
    monkeypatch.setattr(model, "save", original)

    assert calls, f"{model.__name__} was never written"
    assert set(User.objects.values_list("pk", flat=True)) == managers
    for written in (Address, Beneficiary, Consent, EmailAddress, MembershipDecision, OutgoingEmail):
        assert not written.objects.exists(), written.__name__
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert mailoutbox == []


def test_without_failure_everything_is_written(django_capture_on_commit_callbacks, mailoutbox):
    structure = factories.StructureFactory()
    factories.ManagerFactory(structures=[structure])
    invitation = factories.InvitationFactory(structure=structure)
    with django_capture_on_commit_callbacks(execute=True):
        member = registration_submit(**registration_details(invitation))
    assert member.pk
    assert Address.objects.filter(user=member).exists()
    assert Beneficiary.objects.filter(member=member).count() == 2
    assert Consent.objects.filter(user=member).count() == len(LegalDocument.CONSENT_KINDS)
    assert EmailAddress.objects.filter(user=member).exists()
    assert MembershipDecision.objects.filter(member=member).exists()
    assert len(mailoutbox) == 3  # demande reçue, the manager, the confirmation
