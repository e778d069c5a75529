"""The case's lead worker: a caseworker of the lead agency."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.core.services import save_versioned
from tsunagu.core.templatetags.tsunagu import person_name_of as staff_display_name
from tsunagu.core.types import User


def eligible_workers(case: Case) -> Any:
    """Staff who may be the case's lead worker: active caseworkers, supervisors and desk staff of
    an agency on the case's current team."""

    agencies = case.team.filter(until__isnull=True).values("agency_id")
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__agency_id__in=agencies,
            memberships__role__in=("caseworker", "supervisor", "desk"),
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_set_lead_worker(*, user: User, case: Case, expected_version: int, worker: User | None) -> Case:
    if worker is not None and not eligible_workers(case).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": _("ケースの担当機関の職員から選んでください。")})
    with transaction.atomic():
        case = save_versioned(obj=case, expected_version=expected_version, user=user, fields={"lead_worker": worker})
        name = staff_display_name(worker) if worker else _("なし")
        timeline_add(
            case=case, kind=TimelineKind.LEAD_WORKER, summary=_("主担当者：%(name)s") % {"name": name}, user=user
        )
        access_record(user=user, action=Action.UPDATE, object_type="case", object_ids=[case.pk], case_id=case.pk)
    return case
