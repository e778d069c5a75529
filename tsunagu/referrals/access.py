"""The one door to referrals.

The receiving agency's staff (including partners such as a school or a clinic) and the sending
agency's staff see a referral; nobody else does (404). Until it answers, the receiver sees the
referral's summary, never the case; accepting makes its agency a member of the case team.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tsunagu.agencies.models import CASE_ROLES, REFERRAL_ROLES, Agency
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.core.types import User
from tsunagu.referrals.models import Referral

RECEIVER_ROLES = REFERRAL_ROLES
SENDER_ROLES = CASE_ROLES


def referral_side(user: User, referral: Referral) -> str:
    """ "receiver", "sender" or "" (no access)."""
    context = staff_context(user)
    if referral.to_agency_id in context.agency_ids(*RECEIVER_ROLES):
        return "receiver"
    if referral.from_agency_id in context.agency_ids(*SENDER_ROLES):
        return "sender"
    return ""


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    context = staff_context(user)
    return Referral.objects.filter(
        Q(to_agency_id__in=context.agency_ids(*RECEIVER_ROLES))
        | Q(from_agency_id__in=context.agency_ids(*SENDER_ROLES))
    )


def referral_get_for_user(user: User, pk: int, *, side: str | None = None) -> tuple[Referral, str]:
    """The referral and the user's side of it; 404 when the user is on neither side (or not on
    the side ``side`` asks for). The read is recorded with the person it concerns."""
    referral = (
        Referral.objects.select_related(
            "case", "case__household", "case__household__district", "person", "from_agency", "to_agency", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    found = referral_side(user, referral)
    if not found or (side is not None and found != side):
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="referral",
        object_ids=[referral.pk],
        person_ids=[referral.person_id],
        case_id=referral.case_id,
        reason=f"referral {found}",
        basis="referral",
    )
    return referral, found


def sending_agencies(user: User, case: Any) -> QuerySet[Agency]:
    """The agencies a referral from ``case`` may be sent on behalf of by ``user``: those of the
    user's agencies that are on the case's current team (the referral form's choices, for the
    screen and the API alike)."""
    mine = staff_context(user).case_agency_ids
    return Agency.objects.filter(pk__in=case.team.filter(until__isnull=True, agency_id__in=mine).values("agency_id"))
