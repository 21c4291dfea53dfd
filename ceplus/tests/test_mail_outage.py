"""With the mail server down, a signup, a decision or a reset still succeeds and says the same
thing to the person; the emails leave once the server is back."""

from smtplib import SMTPException
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, submit, text, walk_to_validation
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import ManagerFactory, MemberFactory, PendingMemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


def mail_down():
    return mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=SMTPException("451 Temporary local problem"),
    )


def server_back(capture) -> None:
    with capture(execute=True):
        call_command("send_queued_emails", "--older-than-minutes", "0", stdout=mock.Mock())


def test_a_signup_succeeds_and_its_emails_wait_for_the_server(client, django_capture_on_commit_callbacks):
    invitation = ready_invitation()
    ManagerFactory(structures=[invitation.structure])
    walk_to_validation(client, invitation)
    with mail_down(), django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    page = client.get(response["Location"])
    assert response.status_code == 302
    assert "Félicitations" in text(page)
    assert User.objects.get(email=ACCOUNT["email"]).status == User.Status.PENDING
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
    assert waiting.count() >= 2  # the member's "demande reçue" and the manager's notice at least
    assert mail.outbox == []

    server_back(django_capture_on_commit_callbacks)

    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()
    assert ACCOUNT["email"] in {message.to[0] for message in mail.outbox}


def approve(client, member, capture):
    with capture(execute=True):
        response = client.post(
            "/admin/structures/member/",
            {"action": "approve_selected", "_selected_action": [member.pk]},
            follow=True,
        )
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_decision_says_the_same_with_the_mail_server_down(client, django_capture_on_commit_callbacks):
    structure = StructureFactory()
    client.force_login(ManagerFactory(structures=[structure]))
    first = PendingMemberFactory(structure=structure, first_name="Anne", last_name="Dupont")
    second = PendingMemberFactory(structure=structure, first_name="Anne", last_name="Dupont")

    said_with_mail = approve(client, first, django_capture_on_commit_callbacks)
    with mail_down():
        said_without_mail = approve(client, second, django_capture_on_commit_callbacks)

    assert said_without_mail == said_with_mail
    second.refresh_from_db()
    assert second.status == User.Status.APPROVED
    assert [message.to for message in mail.outbox] == [[first.email]]

    server_back(django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [[first.email], [second.email]]


def test_a_reset_request_says_the_same_with_the_mail_server_down(client, django_capture_on_commit_callbacks):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        up = client.post("/compte/password/reset/", {"email": member.email}, follow=True)
    with mail_down(), django_capture_on_commit_callbacks(execute=True):
        down = client.post("/compte/password/reset/", {"email": member.email}, follow=True)
    assert (down.status_code, down.redirect_chain) == (up.status_code, up.redirect_chain)
    assert text(down) == text(up)
    assert len(mail.outbox) == 1

    server_back(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    assert "/compte/password/reset/key/" in mail.outbox[1].body
