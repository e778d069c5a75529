from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "tsunagu.work"
    verbose_name = "仕事の一覧"
