from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tsunagu.plans"
    verbose_name = "支援計画"
