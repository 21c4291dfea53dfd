from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CeplusConfig(AppConfig):
    name = "ceplus"
    verbose_name = _("Site et documents")
