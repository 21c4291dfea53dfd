"""`python manage.py structures_daily`: what the structures' rules do once a day.

For each structure, in this order: the daily digest of new registrations (structures whose
managers chose one email a day), the reminder of the registrations waiting longer than the
structure's delay (one email a day at most; the digest counts as that day's), the validations
its staff list now makes (when the structure chose so and switched it on since), and the end
of access of those past their date de sortie (when it chose so); then, for its members, the
yearly update (``Campaign``: announced on its start date, recalled before its deadline to those
who have not confirmed, once each) and the notice of a child's age limit (60 days ahead, once
per limit). A scheduler runs it once a day (cron, systemd timer…); running it again the same
day sends and changes nothing more.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from beneficiaries.models import Campaign
from beneficiaries.services import age_limits_notify, campaign_announce, campaign_remind
from structures.models import Structure
from structures.roster.decisions import departures_deactivate, pending_auto_approve
from structures.services import registrations_digest_send, registrations_remind


class Command(BaseCommand):
    help = (
        "Envoie les récapitulatifs et les rappels aux gestionnaires, applique les validations et "
        "les départs de la liste du personnel."
    )

    def handle(self, *args, **options):
        totals = {"digest": 0, "reminder": 0, "approved": 0, "deactivated": 0}
        family_totals = {"announced": 0, "reminded": 0, "age_limits": 0}
        today = timezone.localdate()
        for structure in Structure.objects.order_by("name"):
            done = {
                "digest": registrations_digest_send(structure=structure),
                "reminder": registrations_remind(structure=structure),
                "approved": pending_auto_approve(structure=structure),
                "deactivated": departures_deactivate(structure=structure),
            }
            for key, count in done.items():
                totals[key] += count
            if any(done.values()):
                self.stdout.write(
                    f"{structure.name} : {done['digest']} nouvelle(s) inscription(s) signalée(s), "
                    f"{done['reminder']} en attente rappelée(s), {done['approved']} validée(s) par la "
                    f"liste du personnel, {done['deactivated']} accès désactivé(s)"
                )
            family = self._families(structure, today)
            for key, count in family.items():
                family_totals[key] += count
            if any(family.values()):
                self.stdout.write(
                    f"{structure.name} : mise à jour annuelle annoncée à {family['announced']} "
                    f"ouvrant(s)-droit, rappelée à {family['reminded']}, {family['age_limits']} "
                    "limite(s) d'âge signalée(s)"
                )
        self.stdout.write(
            f"En tout : {totals['digest']} inscription(s) signalée(s), {totals['reminder']} rappelée(s), "
            f"{totals['approved']} validée(s) automatiquement, {totals['deactivated']} désactivé(s)."
        )
        self.stdout.write(
            f"Familles : {family_totals['announced']} annonce(s) de la mise à jour annuelle, "
            f"{family_totals['reminded']} rappel(s), {family_totals['age_limits']} limite(s) d'âge signalée(s)."
        )

    def _families(self, structure: Structure, today) -> dict[str, int]:
        """The yearly update's emails and the age-limit notices of one structure's members."""
        done = {"announced": 0, "reminded": 0, "age_limits": 0}
        campaigns = Campaign.objects.filter(structure=structure, starts_on__lte=today, deadline__gte=today)
        for campaign in campaigns.filter(announced_at__isnull=True):
            done["announced"] += campaign_announce(campaign=campaign, today=today)
        for campaign in campaigns.filter(announced_at__isnull=False, reminded_at__isnull=True):
            done["reminded"] += campaign_remind(campaign=campaign, today=today)
        done["age_limits"] = age_limits_notify(structure=structure, today=today)
        return done
