"""Erase registrations and former members kept past their delay (RGPD), meant to run daily:

    python manage.py purge_personal_data            # erases
    python manage.py purge_personal_data --dry-run  # only counts

Delays: PURGE_PENDING_AFTER_DAYS, PURGE_REJECTED_AFTER_DAYS, PURGE_DEACTIVATED_AFTER_DAYS, and
PURGE_SENT_EMAILS_AFTER_DAYS for the copies of the emails sent, PURGE_UNCHECKED_PROOFS_AFTER_DAYS
for the files of the proofs of family that no manager checked.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.privacy import members_purge, members_to_purge, purge_delays
from beneficiaries.services import proofs_purge
from ceplus.services import outgoing_emails_purge


class Command(BaseCommand):
    help = (
        "Supprime les inscriptions en attente ou refusées et les ouvrants-droit désactivés "
        "conservés au-delà des délais fixés (RGPD). À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte les comptes à supprimer sans rien supprimer."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        counts = Counter(members_to_purge().values_list("status", flat=True)) if dry_run else members_purge()
        for status, delay in purge_delays().items():
            self.stdout.write(
                f"{User.Status(status).label} (après {delay.days} jours) : "
                f"{counts.get(status, 0)} {'à supprimer' if dry_run else 'supprimé(s)'}"
            )
        if not dry_run:
            self.stdout.write(
                f"Copies d'emails envoyés (après {settings.PURGE_SENT_EMAILS_AFTER_DAYS} jours) : "
                f"{outgoing_emails_purge()} supprimée(s)"
            )
            self.stdout.write(
                f"Justificatifs non vérifiés (après {settings.PURGE_UNCHECKED_PROOFS_AFTER_DAYS} jours) : "
                f"{proofs_purge()} fichier(s) supprimé(s)"
            )
