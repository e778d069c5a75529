"""The scopes a token may carry (decision 0037): read or write, per resource.

A scope only lets a token *ask*: what it may see and change is decided, as for a person at the
screen, by its account's memberships and the doors (``tsunagu/*/access.py``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import CASE_ROLES, REFERRAL_ROLES, Role


class Scope(models.TextChoices):
    CONSULTATIONS_WRITE = "consultations:write", _("相談の登録")
    PERSONS_READ = "persons:read", _("人の検索")
    CASES_READ = "cases:read", _("ケースの閲覧")
    RECORDS_WRITE = "records:write", _("支援経過の記録")
    REFERRALS_READ = "referrals:read", _("つなぎの閲覧")
    REFERRALS_WRITE = "referrals:write", _("つなぎの依頼・回答")
    PLACES_READ = "places:read", _("居場所・催しの閲覧")


# The roles that may use each scope's pages on the screen: a token is not issued a scope its
# account could not use there (the views' own rules: intake DESK, people and cases CASE_ROLES...).
SCOPE_ROLES: dict[str, tuple[str, ...]] = {
    Scope.CONSULTATIONS_WRITE: (Role.DESK,),
    Scope.PERSONS_READ: CASE_ROLES,
    Scope.CASES_READ: CASE_ROLES,
    Scope.RECORDS_WRITE: CASE_ROLES,
    Scope.REFERRALS_READ: REFERRAL_ROLES,
    Scope.REFERRALS_WRITE: REFERRAL_ROLES,
    Scope.PLACES_READ: tuple(Role.values),
}
