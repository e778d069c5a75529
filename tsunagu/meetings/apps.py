from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tsunagu.meetings"
    verbose_name = "会議"

    def ready(self) -> None:
        from tsunagu.cases.grants import grant_register
        from tsunagu.meetings.grants import MeetingGrant

        grant_register(MeetingGrant())
