from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tsunagu.people"
    verbose_name = "世帯・人"
