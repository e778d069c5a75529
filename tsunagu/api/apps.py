from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tsunagu.api"
    verbose_name = _("機関システム連携（API）")

    def ready(self) -> None:
        from tsunagu.api import schema  # noqa: F401 - registers the token's security scheme
