"""`python manage.py registrations_digest`: the daily digest of new registrations.

For the structures whose managers chose one email a day (``notification == DAILY``) instead of
one per registration. A scheduler runs it once a day (cron, systemd timer…); running it more
often only sends what came in since the previous run.
"""

from django.core.management.base import BaseCommand

from structures.models import Structure
from structures.services import registrations_digest_send


class Command(BaseCommand):
    help = "Envoie aux gestionnaires le récapitulatif quotidien des inscriptions à valider."

    def handle(self, *args, **options):
        structures = Structure.objects.filter(notification=Structure.Notification.DAILY).order_by("name")
        total = 0
        for structure in structures:
            count = registrations_digest_send(structure=structure)
            total += count
            if count:
                self.stdout.write(f"{structure.name} : {count} inscription(s) signalée(s)")
        self.stdout.write(f"Récapitulatifs envoyés : {total} inscription(s) au total.")
