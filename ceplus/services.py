"""State changes of the site's own objects (legal documents)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ceplus.emails import schedule_delivery
from ceplus.models import LegalDocument, OutgoingEmail


@transaction.atomic
def legal_document_new_version(*, source: LegalDocument) -> LegalDocument:
    """A draft copy of ``source`` as the next version of its kind, published in a week unless
    staff change the date: the published versions stay as members accepted them."""
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
