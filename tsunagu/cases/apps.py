from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    verbose_name = _("支援ケース")

    def ready(self) -> None:
        from tsunagu.cases.grants import DeskGrant, EmergencyGrant, TeamGrant, grant_register

        for grant in (TeamGrant(), EmergencyGrant(), DeskGrant()):
            grant_register(grant)
