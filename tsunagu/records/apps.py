from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "tsunagu.records"
    verbose_name = "支援経過記録"
