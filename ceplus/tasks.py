"""Background tasks (Django's tasks framework)."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from ceplus.models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off: 1, 2, 4… minutes, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 360))


@task
def deliver_email(email_id: int) -> str:
    """Send one stored email; on failure, record why and try again later."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == OutgoingEmail.Status.SENT:
            return "skipped"
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=email.from_email,
            to=[email.to],
        )
        if email.html:
            message.attach_alternative(email.html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as error:  # any transport error: the email waits for the next try
            logger.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, error)
            email.status = OutgoingEmail.Status.FAILED
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.save(update_fields=["status", "attempts", "last_error"])
            if email.attempts < MAX_ATTEMPTS and default_task_backend.supports_defer:
                run_after = timezone.now() + retry_delay(email.attempts)
                transaction.on_commit(lambda: deliver_email.using(run_after=run_after).enqueue(email_id))
            return "failed"
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return "sent"
