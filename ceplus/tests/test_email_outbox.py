"""Email that is never lost: stored with the change that caused it, delivered after commit,
recorded when the mail server fails, and sent again once it is back."""

import datetime
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ceplus.emails import queue_email
from ceplus.models import OutgoingEmail
from ceplus.services import outgoing_email_resend
from ceplus.tasks import retry_delay

MAIL_DOWN = mock.patch(
    "django.core.mail.backends.locmem.EmailBackend.send_messages",
    side_effect=SMTPException("Connection refused"),
)


@pytest.mark.django_db
def test_an_email_leaves_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email("ceplus/email/test", "marie@example.org", {})
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert [message.to for message in mail.outbox] == [["marie@example.org"]]
    assert mail.outbox[0].subject == "Message d'essai de CE+ Services"


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue_email("ceplus/email/test", "marie@example.org", {})
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_mail_server_failure_is_recorded_and_the_email_kept(django_capture_on_commit_callbacks):
    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        email = queue_email("ceplus/email/test", "marie@example.org", {})
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 1
    assert "Connection refused" in email.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_email_leaves_once_the_server_is_back(django_capture_on_commit_callbacks):
    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        email = queue_email("ceplus/email/test", "marie@example.org", {})
    with django_capture_on_commit_callbacks(execute=True):
        outgoing_email_resend(email=email)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_resends_every_unsent_email(django_capture_on_commit_callbacks):
    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        failed = queue_email("ceplus/email/test", "a@example.org", {})
        queue_email("ceplus/email/test", "b@example.org", {})
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_queued_emails", "--older-than-minutes", "0", stdout=mock.Mock())
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 2
    failed.refresh_from_db()
    assert failed.sent_at is not None
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.org", "b@example.org"]


@pytest.mark.django_db
def test_with_the_database_queue_a_failure_is_retried_later(settings, django_capture_on_commit_callbacks):
    """With the production queue, a failed delivery schedules itself again, with back-off."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email("ceplus/email/test", "marie@example.org", {})
    first = DBTaskResult.objects.get()
    assert first.args_kwargs["args"] == [email.pk]
    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        first.task.call(*first.args_kwargs["args"])
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=30)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED


def test_retries_back_off_exponentially_up_to_six_hours():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(20) == datetime.timedelta(hours=6)


@pytest.mark.django_db
def test_staff_see_failed_emails_in_the_admin_and_resend_them(client, django_capture_on_commit_callbacks):
    from ceplus.tests.factories import StaffFactory

    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        failed = queue_email("ceplus/email/test", "marie@example.org", {})
    with django_capture_on_commit_callbacks(execute=True):
        sent = queue_email("ceplus/email/test", "paul@example.org", {})
    client.force_login(StaffFactory())
    listing = client.get("/admin/ceplus/outgoingemail/?status__exact=failed")
    assert "marie@example.org" in listing.text
    assert "paul@example.org" not in listing.text
    assert "Connection refused" in client.get(f"/admin/ceplus/outgoingemail/{failed.pk}/change/").text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/ceplus/outgoingemail/", {"action": "resend", "_selected_action": [failed.pk, sent.pk]}
        )

    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == ["marie@example.org", "paul@example.org"]


@pytest.mark.django_db
def test_sent_emails_are_purged_after_the_delay_and_unsent_ones_kept(
    settings, django_capture_on_commit_callbacks
):
    """Copies of sent emails hold names and addresses: the daily purge deletes them after
    PURGE_SENT_EMAILS_AFTER_DAYS; an email not yet sent is kept."""
    settings.PURGE_SENT_EMAILS_AFTER_DAYS = 90
    with django_capture_on_commit_callbacks(execute=True):
        old = queue_email("ceplus/email/test", "ancien@example.org", {})
        recent = queue_email("ceplus/email/test", "recent@example.org", {})
    with MAIL_DOWN, django_capture_on_commit_callbacks(execute=True):
        unsent = queue_email("ceplus/email/test", "en-attente@example.org", {})
    long_ago = timezone.now() - datetime.timedelta(days=91)
    OutgoingEmail.objects.filter(pk__in=[old.pk, unsent.pk]).update(sent_at=long_ago, created_at=long_ago)

    call_command("purge_personal_data", stdout=mock.Mock())

    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}
