from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tsunagu.imports"
    verbose_name = _("Excelからの取り込み")
