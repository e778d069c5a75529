from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tsunagu.assessments"
    verbose_name = "アセスメント"
