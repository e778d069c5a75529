from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "tsunagu.plans"
    verbose_name = _("支援計画")
