from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "tsunagu.places"
    verbose_name = _("居場所・プログラム・家族会")

    def ready(self) -> None:
        from tsunagu.cases.closure_hints import closure_hint_register
        from tsunagu.places.services import closure_suggestion

        closure_hint_register(closure_suggestion)
