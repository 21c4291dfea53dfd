from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StructuresConfig(AppConfig):
    name = "structures"
    verbose_name = _("Structures")

    def ready(self):
        from structures.permissions import sync_manager_group_after_migrate

        post_migrate.connect(
            sync_manager_group_after_migrate, sender=self, dispatch_uid="structures_manager_group"
        )
