from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Bénéficiaires")

    def ready(self):
        # The audit trail's admin lives beside the beneficiaries' own (beneficiaries/admin.py).
        from beneficiaries import admin_changes

        admin_changes.register()
