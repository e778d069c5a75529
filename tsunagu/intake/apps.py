from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "tsunagu.intake"
    verbose_name = _("相談受付")
