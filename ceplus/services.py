"""State changes of the site's own objects (legal documents, the email outbox)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ceplus.emails import schedule_delivery
from ceplus.legal_documents import forget_documents_in_force
from ceplus.models import LegalDocument, OutgoingEmail


@transaction.atomic
def legal_document_save(*, document: LegalDocument) -> LegalDocument:
    """Add a version, or change one not yet in force (staff, in the admin): a version in force
    is what members accepted, and the admin keeps it read-only."""
    document.save()
    forget_documents_in_force()
    return document


@transaction.atomic
def outgoing_emails_erase(*, emails) -> int:
    """Delete these emails from the outbox, sent or not (a member's erasure)."""
    deleted, _ = emails.delete()
    return deleted


@transaction.atomic
def legal_document_new_version(*, source: LegalDocument) -> LegalDocument:
    """A draft copy of ``source`` as the next version of its kind, published in a week unless
    staff change the date: the published versions stay as members accepted them."""
    forget_documents_in_force()
    return LegalDocument.objects.create(
        kind=source.kind,
        title=source.title,
        body=source.body,
        published_at=timezone.now() + datetime.timedelta(days=7),
    )


def outgoing_email_resend(*, email: OutgoingEmail) -> None:
    """Send a failed (or stuck) email again, after the current transaction commits."""
    if email.status == OutgoingEmail.Status.SENT:
        return
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.QUEUED)
    schedule_delivery(email)


def outgoing_emails_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete sent emails older than ``PURGE_SENT_EMAILS_AFTER_DAYS``: they hold names and
    addresses, and once sent they are needed only for a while, to answer "did it leave?".
    Unsent ones stay until they leave or staff give up on them."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.PURGE_SENT_EMAILS_AFTER_DAYS)
    deleted, _ = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
