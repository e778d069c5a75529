from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "tsunagu.meetings"
    verbose_name = _("会議")

    def ready(self) -> None:
        from tsunagu.cases.grants import grant_register
        from tsunagu.meetings.grants import MeetingGrant

        grant_register(MeetingGrant())
