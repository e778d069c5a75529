from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tsunagu.public"
    verbose_name = "区民向けページ"
