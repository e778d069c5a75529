"""The one door to assessments: seen by whoever sees their case in full."""

from django.http import Http404

from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import event_reason, full_access
from tsunagu.core.types import User


def assessment_get_for_user(user: User, pk: int, *, write: bool = False) -> Assessment:
    assessment = (
        Assessment.objects.select_related("case", "case__household", "person", "instrument", "assessed_by")
        .filter(pk=pk)
        .first()
    )
    access = full_access(user, assessment.case, write=write) if assessment is not None else None
    if assessment is None or access is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="assessment",
        object_ids=[assessment.pk],
        person_ids=[assessment.person_id],
        case_id=assessment.case_id,
        reason=event_reason(access),
        basis=access.basis,
    )
    return assessment
