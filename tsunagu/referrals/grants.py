"""The referral grant: the receiving agency sees the summary of a case while a referral to it
waits for an answer (decision 0005). Registered into the case grants (``cases/grants.py``) by
``ReferralsConfig.ready()``."""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tsunagu.agencies.selectors import StaffContext
from tsunagu.cases.grants import Access, Grant, Level
from tsunagu.cases.models import Case
from tsunagu.referrals.models import Referral, ReferralStatus


class ReferralGrant(Grant):
    """SUMMARY: an agency of the user (as caseworker, supervisor or desk) has an open referral on
    the case. Accepting puts the agency on the team; declining or withdrawing ends it at once."""

    name = "referral"
    level = Level.SUMMARY
    order = 30
    why_template = "cases/why/referral.html"

    def cases(self, user: Any, context: StaffContext) -> Q | None:
        agencies = context.case_agency_ids
        if not agencies:
            return None
        return Q(
            Exists(
                Referral.objects.filter(
                    case_id=OuterRef("pk"), to_agency_id__in=agencies, status=ReferralStatus.REQUESTED
                )
            )
        )

    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        agencies = context.case_agency_ids
        if not agencies:
            return None
        referral = (
            Referral.objects.filter(case=case, to_agency_id__in=agencies, status=ReferralStatus.REQUESTED)
            .select_related("to_agency")
            .first()
        )
        if referral is None:
            return None
        return self.access(agencies=(referral.to_agency.name,), record=referral, reason="summary (referral)")
