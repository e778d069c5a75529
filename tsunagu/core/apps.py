from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tsunagu.core"
    verbose_name = "共通"
