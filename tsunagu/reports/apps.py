from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tsunagu.reports"
    verbose_name = _("統計・進行管理")
