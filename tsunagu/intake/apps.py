from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tsunagu.intake"
    verbose_name = "相談受付"
