from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "tsunagu.agencies"
    verbose_name = _("地域・支援機関")
