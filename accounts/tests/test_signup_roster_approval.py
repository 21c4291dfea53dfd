"""ENVOYER MA DEMANDE on the staff list of a structure that validates it automatically: the
member is validated at once, gets "inscription validée" instead of "demande reçue", and the
managers have nothing to do."""

import dataclasses

import pytest

from accounts.models import User
from accounts.signup.services import registration_submit
from accounts.tests.signup_helpers import ACCOUNT, registration_details
from ceplus.models import OutgoingEmail
from ceplus.tests import factories
from structures.models import Invitation, MembershipDecision, RosterImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_structure():
    structure = factories.StructureFactory(roster_auto_approve=True)
    manager = factories.ManagerFactory(structures=[structure])
    upload = RosterImport.objects.create(structure=structure, uploaded_by=manager, file_name="personnel.csv")
    factories.RosterEntryFactory(structure=structure, email=ACCOUNT["email"], roster_import=upload)
    return structure, manager


def sent_templates(member) -> set[str]:
    return set(OutgoingEmail.objects.filter(recipient=member).values_list("template", flat=True))


def test_a_personal_invitation_on_the_list_is_validated_at_once(
    listed_structure, django_capture_on_commit_callbacks
):
    structure, manager = listed_structure
    invitation = factories.InvitationFactory(
        structure=structure, kind=Invitation.Kind.PERSONAL, email=ACCOUNT["email"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        member = registration_submit(**registration_details(invitation))
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    decision = MembershipDecision.objects.get(member=member, to_status=User.Status.APPROVED)
    assert decision.acting_user == manager
    assert "liste du personnel" in decision.reason
    assert sent_templates(member) == {"structures/email/member_approved"}
    assert not OutgoingEmail.objects.filter(recipient=manager).exists()


def test_the_shared_link_waits_for_the_address_to_be_confirmed(
    listed_structure, django_capture_on_commit_callbacks
):
    structure, _manager = listed_structure
    invitation = factories.InvitationFactory(structure=structure)
    with django_capture_on_commit_callbacks(execute=True):
        member = registration_submit(**registration_details(invitation))
    member.refresh_from_db()
    assert member.status == User.Status.PENDING
    assert "accounts/email/registration_received" in sent_templates(member)


def test_off_the_list_the_registration_waits_for_a_manager(
    listed_structure, django_capture_on_commit_callbacks
):
    structure, _manager = listed_structure
    invitation = factories.InvitationFactory(
        structure=structure, kind=Invitation.Kind.PERSONAL, email="autre.personne@example.org"
    )
    details = registration_details(invitation)
    details["account"] = dataclasses.replace(details["account"], email="autre.personne@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        member = registration_submit(**details)
    member.refresh_from_db()
    assert member.status == User.Status.PENDING
    assert sent_templates(member) == {"accounts/email/registration_received"}
