from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    verbose_name = _("支援ケース")
