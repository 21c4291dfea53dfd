"""State changes of the site's own objects (legal documents)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ceplus.models import LegalDocument


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
