from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    verbose_name = "支援ケース"

    def ready(self) -> None:
        from tsunagu.cases.grants import DeskGrant, EmergencyGrant, TeamGrant, grant_register

        for grant in (TeamGrant(), EmergencyGrant(), DeskGrant()):
            grant_register(grant)
