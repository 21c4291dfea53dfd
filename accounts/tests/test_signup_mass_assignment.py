"""Extra fields posted to any step (structure, status, is_staff, groups…) are ignored: the
account gets the invitation's structure, the pending status and no privilege (S3)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    beneficiary_rows,
    consents,
    ready_invitation,
    start,
)
from ceplus.tests import factories

pytestmark = pytest.mark.django_db


def test_extra_fields_on_every_step_are_ignored(client):
    structure = factories.StructureFactory(name="Structure A")
    other = factories.StructureFactory(name="Structure B")
    group = Group.objects.create(name="Gestionnaires")
    invitation = ready_invitation(structure=structure)
    other_invitation = factories.InvitationFactory(structure=other)
    extra = {
        "structure": str(other.pk),
        "structure_id": str(other.pk),
        "invitation": str(other_invitation.pk),
        "status": "approved",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "groups": str(group.pk),
        "user_permissions": "1",
        "password": "argon2$forged",
        "email": "marie.martin@example.org",
    }
    start(client, invitation)
    client.post(reverse("signup_account"), {**extra, **ACCOUNT})
    client.post(reverse("signup_address"), {**ADDRESS, **extra})
    client.post(reverse("signup_beneficiaries"), {**beneficiary_rows(), **extra})
    response = client.post(reverse("signup_validation"), {**consents(), **extra})
    assert response["Location"] == reverse("signup_sent")

    member = User.objects.get()
    assert member.structure == structure
    assert member.invitation == invitation
    assert member.status == User.Status.PENDING
    assert not member.is_staff
    assert not member.is_superuser
    assert not member.groups.exists()
    assert not member.user_permissions.exists()
    assert member.password != "argon2$forged"
    assert not structure.managers.exists()


def test_session_wizard_of_structure_a_cannot_be_pointed_at_structure_b(client):
    """Only the invitation link sets the invitation: nothing posted can change it."""
    structure = factories.StructureFactory(name="Structure A")
    other = factories.InvitationFactory(structure=factories.StructureFactory(name="Structure B"))
    start(client, ready_invitation(structure=structure))
    client.post(reverse("signup_account"), {**ACCOUNT, "invitation": other.pk, "token": other.token})
    client.post(reverse("signup_address"), ADDRESS)
    client.post(reverse("signup_beneficiaries"), beneficiary_rows())
    client.post(reverse("signup_validation"), consents())
    assert User.objects.get().structure == structure
