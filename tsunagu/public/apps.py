from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "tsunagu.public"
    verbose_name = _("区民向けページ")
