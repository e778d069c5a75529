"""The one door to support plans: seen by whoever sees their case in full."""

from django.http import Http404

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import event_reason, full_access
from tsunagu.core.types import User
from tsunagu.plans.models import SupportPlan


def plan_get_for_user(user: User, pk: int, *, write: bool = False) -> SupportPlan:
    plan = SupportPlan.objects.select_related("case", "case__household", "decided_by").filter(pk=pk).first()
    access = full_access(user, plan.case, write=write) if plan is not None else None
    if plan is None or access is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="plan",
        object_ids=[plan.pk],
        person_ids=plan.goals.exclude(person=None).values_list("person_id", flat=True),
        case_id=plan.case_id,
        reason=event_reason(access),
        basis=access.basis,
    )
    return plan
