"""What "Mes données personnelles" shows and erases is decided by what the member proved: their
account, their verified addresses, the invitation they used. An address they added without
confirming it, or that only appears in the text of an email, gives them nothing of anyone
else's: not another member's emails, not another structure's invitation."""

import dataclasses
import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.privacy import member_erase, member_export
from accounts.services import password_reset_send
from accounts.signup.services import registration_submit
from accounts.tests.signup_helpers import ready_invitation, registration_details
from ceplus.emails import queue_email
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import (
    PASSWORD,
    InvitationFactory,
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    StructureFactory,
)
from structures.models import Invitation, Structure
from structures.services import invitations_send, member_approve

pytestmark = pytest.mark.django_db

QUEUED = OutgoingEmail.Status.QUEUED


def verified(user: User, email: str | None = None) -> EmailAddress:
    return EmailAddress.objects.create(user=user, email=email or user.email, verified=True, primary=True)


def exported(member: User) -> list[tuple[str, str]]:
    return [
        (email["destinataire"], email["objet"]) for email in member_export(member=member)["emails_envoyes"]
    ]


def confirmation_path(email: OutgoingEmail) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/confirm-email/[^/\s]+/)", email.body)
    assert match, email.body
    return match.group(1)


@pytest.fixture
def scene(client):
    """``n@example.org`` (about to erase their account) and ``an@example.org``, whose address
    contains the first one, both members of one structure; another structure invited
    ``tiers@example.org``, which ``n@`` then added to their account without confirming it. The
    emails are still queued (no commit in these tests): the worker has not sent them yet."""
    structure = StructureFactory(name="CSE Textiles")
    eraser = MemberFactory(email="n@example.org", structure=structure)
    verified(eraser)
    other = PendingMemberFactory(email="an@example.org", structure=structure)
    verified(other)
    member_approve(member=other, acting_user=None)  # "Votre identifiant … : an@example.org"
    queue_email("ceplus/email/test", "an@example.org", {})  # for no known account
    elsewhere = StructureFactory(name="CSE Chimie")
    invitations_send(structure=elsewhere, emails=["tiers@example.org"], acting_user=None)
    client.force_login(eraser)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "tiers@example.org"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=eraser, email="tiers@example.org", verified=False).exists()
    return {
        "eraser": eraser,
        "other": other,
        "others_emails": list(OutgoingEmail.objects.filter(to="an@example.org")),
        "invitation": Invitation.objects.get(structure=elsewhere, email="tiers@example.org"),
        "invitation_email": OutgoingEmail.objects.get(
            to="tiers@example.org", template="structures/email/invitation"
        ),
    }


def test_erasure_leaves_what_is_addressed_to_others_and_it_still_leaves(
    client, scene, django_capture_on_commit_callbacks
):
    # given
    assert len(scene["others_emails"]) == 2
    # the text of the other member's approval holds the eraser's address, inside their own
    assert any("n@example.org" in email.body for email in scene["others_emails"])
    assert all(email.status == QUEUED for email in scene["others_emails"])

    # when
    response = client.post(reverse("member_data_erase"), {"password": PASSWORD, "confirm": "on"})

    # then: the eraser is gone, and nothing of anyone else with them
    assert response.status_code == 302
    assert not User.objects.filter(pk=scene["eraser"].pk).exists()
    assert Invitation.objects.filter(pk=scene["invitation"].pk).exists()
    kept = [*scene["others_emails"], scene["invitation_email"]]
    assert OutgoingEmail.objects.filter(pk__in=[email.pk for email in kept], status=QUEUED).count() == 3
    # the confirmation link sent for the erased account went with it
    assert not OutgoingEmail.objects.filter(template="account/email/email_confirmation").exists()

    # and the worker still sends them
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_queued_emails", "--older-than-minutes", "0", stdout=mock.Mock())
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == sorted(
        (email.to, email.subject) for email in kept
    )


def test_the_export_lists_nothing_addressed_to_others(scene):
    listed = exported(scene["eraser"])
    foreign = [*scene["others_emails"], scene["invitation_email"]]
    for email in foreign:
        assert (email.to, email.subject) not in listed
    assert not [to for to, _subject in listed if to == "an@example.org"]
    # what is listed is the eraser's own: the confirmation link of the address they added
    own = OutgoingEmail.objects.get(template="account/email/email_confirmation")
    assert own.recipient == scene["eraser"]
    assert listed == [(own.to, own.subject)]


def test_a_registrations_own_emails_are_listed_and_erased_but_not_the_managers_copy():
    """A registration through the shared link: the login address is not confirmed yet, but
    "demande reçue" and the confirmation link were written for this account."""
    # given
    structure = StructureFactory(name="CSE Textiles", notification=Structure.Notification.EACH)
    manager = ManagerFactory(email="rh@textiles.example", structures=[structure])
    details = registration_details(ready_invitation(structure=structure))
    details["account"] = dataclasses.replace(details["account"], email="n@example.org")
    member = registration_submit(**details)
    assert not EmailAddress.objects.filter(user=member, verified=True).exists()
    own = list(OutgoingEmail.objects.filter(to="n@example.org").order_by("created_at", "pk"))
    assert {email.template for email in own} == {
        "accounts/email/registration_received",
        "account/email/email_confirmation_signup",
    }
    notice = OutgoingEmail.objects.get(to=manager.email)
    assert "n@example.org" in notice.body
    assert notice.recipient == manager

    # when / then: the export lists the member's own emails
    assert exported(member) == [(email.to, email.subject) for email in own]

    # when / then: the erasure deletes them, queued as they are, and leaves the manager's
    member_erase(member=member, acting_user=member)
    assert not OutgoingEmail.objects.filter(pk__in=[email.pk for email in own]).exists()
    assert OutgoingEmail.objects.filter(pk=notice.pk, status=QUEUED).exists()


def test_emails_written_for_the_account_stay_its_own_after_an_email_change(client):
    # given: a member who left their first address for a new one
    member = MemberFactory(email="n@example.org")
    verified(member)
    password_reset_send(user=member)
    client.force_login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "n.nouvelle@example.org"})
    confirmation = OutgoingEmail.objects.get(to="n.nouvelle@example.org")
    client.post(confirmation_path(confirmation))
    member.refresh_from_db()
    assert member.email == "n.nouvelle@example.org"
    assert not EmailAddress.objects.filter(email="n@example.org").exists()
    own = list(OutgoingEmail.objects.order_by("created_at", "pk"))
    assert {email.template for email in own} == {
        "account/email/password_reset_key",
        "account/email/email_confirmation",
        "account/email/email_changed",
    }
    assert all(email.recipient == member for email in own)

    # when / then
    assert exported(member) == [(email.to, email.subject) for email in own]
    member_erase(member=member, acting_user=member)
    assert not OutgoingEmail.objects.exists()


def test_erasure_takes_the_invitation_used_and_those_to_a_verified_address_only(client):
    # given
    structure = StructureFactory(name="CSE Textiles")
    used = InvitationFactory(structure=structure, kind=Invitation.Kind.PERSONAL, email="n@example.org")
    member = MemberFactory(email="n@example.org", structure=structure, invitation=used)
    verified(member)
    verified_elsewhere = InvitationFactory(
        structure=StructureFactory(name="CSE Chimie"), kind=Invitation.Kind.PERSONAL, email="n@example.org"
    )
    client.force_login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "tiers@example.org"})
    unproved_here = InvitationFactory(
        structure=structure, kind=Invitation.Kind.PERSONAL, email="tiers@example.org"
    )
    contained = InvitationFactory(structure=structure, kind=Invitation.Kind.PERSONAL, email="an@example.org")
    shared = InvitationFactory(structure=structure)

    # when
    member_erase(member=member, acting_user=member)

    # then
    assert not Invitation.objects.filter(pk__in=[used.pk, verified_elsewhere.pk]).exists()
    assert set(Invitation.objects.values_list("pk", flat=True)) == {unproved_here.pk, contained.pk, shared.pk}
