from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "tsunagu.agencies"
    verbose_name = "地域・支援機関"
