from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "tsunagu.referrals"
    verbose_name = "つなぎ"

    def ready(self) -> None:
        from tsunagu.cases.grants import grant_register
        from tsunagu.referrals.grants import ReferralGrant

        grant_register(ReferralGrant())
