"""The one door to consultations (docs/access.md).

The desk takes every consultation and sees them all. A caseworker or supervisor sees the
consultations that led to a case their agency is on the team of. Everybody else: 404.
"""

from django.db.models import QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_seen_by
from tsunagu.core.types import User
from tsunagu.intake.models import Consultation


def consultations_visible_to(user: User, *, write: bool = False) -> QuerySet[Consultation]:
    context = staff_context(user)
    if context.is_desk:
        return Consultation.objects.all()
    if write:
        return Consultation.objects.none()
    # The consultations that led to a case the user works on (the case grants that write: the
    # team); emergency access and summaries do not open the intake.
    return Consultation.objects.filter(case__in=cases_seen_by(user, write=True))


def _basis(user: User, consultation: Consultation) -> str:
    """Why the user reads it, as ``cases.access.Access.basis`` names it: the team of its case (a
    case grant that writes), else the desk (the only two doors of ``consultations_visible_to``)."""
    if consultation.case_id is not None and cases_seen_by(user, write=True).filter(pk=consultation.case_id).exists():
        return "team"
    return "desk" if staff_context(user).is_desk else ""


def consultation_get_for_user(user: User, pk: int, *, write: bool = False) -> Consultation:
    consultation = (
        consultations_visible_to(user, write=write)
        .select_related("household", "person", "case", "contact_agency", "received_by")
        .filter(pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="consultation",
        object_ids=[consultation.pk],
        person_ids=[consultation.person_id],
        case_id=consultation.case_id,
        basis=_basis(user, consultation),
    )
    return consultation
