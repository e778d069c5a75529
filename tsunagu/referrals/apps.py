from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "tsunagu.referrals"
    verbose_name = _("つなぎ")

    def ready(self) -> None:
        from tsunagu.cases.grants import grant_register
        from tsunagu.referrals.grants import ReferralGrant

        grant_register(ReferralGrant())
