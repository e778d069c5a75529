from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tsunagu.core"
    verbose_name = _("共通")

    def ready(self) -> None:
        from tsunagu.core import sessions

        sessions.connect()
