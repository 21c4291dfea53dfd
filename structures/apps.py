from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StructuresConfig(AppConfig):
    name = "structures"
    verbose_name = _("Structures")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from structures.permissions import sync_manager_group_after_migrate
        from structures.roster.decisions import on_email_confirmed

        post_migrate.connect(
            sync_manager_group_after_migrate, sender=self, dispatch_uid="structures_manager_group"
        )
        # A registration through the shared link may be validated by the staff list once its
        # address is proven (structures.roster.decisions).
        email_confirmed.connect(on_email_confirmed, dispatch_uid="structures_roster_email_confirmed")
