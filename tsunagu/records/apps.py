from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "tsunagu.records"
    verbose_name = _("支援経過記録")
