"""Hand every unsent email (failed or still queued) to the delivery task again."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ceplus.models import OutgoingEmail
from ceplus.services import outgoing_email_resend


class Command(BaseCommand):
    help = "Renvoie les emails en échec ou restés en attente depuis plus de quelques minutes."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=5)

    def handle(self, *args, older_than_minutes: int, **options):
        cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
        emails = OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).filter(
            created_at__lte=cutoff
        )
        count = 0
        for email in emails.iterator():
            with transaction.atomic():
                outgoing_email_resend(email=email)
            count += 1
        self.stdout.write(f"{count} email(s) renvoyé(s) à l'envoi.")
