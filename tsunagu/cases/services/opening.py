"""Opening a case: the household's data is shared with the team, so every team member needs a
sharing basis (see cases/services/team.py)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    CaseAgency,
    CaseStatus,
    SharingBasis,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.cases.work_state import agency_lock, ages_out_set, stall_refresh
from tsunagu.core.types import User
from tsunagu.people.models import Household


def case_open(
    *,
    user: User,
    household: Household,
    lead: Agency,
    sharing_basis: str,
    partners: Iterable[Agency] = (),
) -> Case:
    if sharing_basis not in SharingBasis.values:
        raise ValidationError({"sharing_basis": _("情報共有の根拠を選んでください。")})
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        # The lead agency's row is locked while its stall days are read, so an administrator
        # changing them (cases/admin.py) waits for this case, or this case for the new days.
        agency_lock(lead.pk)
        case = Case.objects.create(
            household=household,
            status=CaseStatus.RECEIVED,
            opened_at=now,
            created_by=user,
            updated_by=user,
            # The work state of a case without records (decision 0017).
            quiet_since=today,
            stalled_on=today + dt.timedelta(days=lead.stall_days),
        )
        CaseAgency.objects.create(
            case=case,
            agency=lead,
            role=TeamRole.LEAD,
            since=today,
            sharing_basis=sharing_basis,
            stalled_on=case.stalled_on,  # the team rows carry the case's work state (decision 0020)
        )
        CaseAgency.objects.bulk_create(
            [
                CaseAgency(
                    case=case,
                    agency=agency,
                    role=TeamRole.PARTNER,
                    since=today,
                    sharing_basis=sharing_basis,
                    stalled_on=case.stalled_on,
                )
                for agency in {a.pk: a for a in partners if a.pk != lead.pk}.values()
            ]
        )
        ages_out_set(Case.objects.filter(pk=case.pk))  # the lead agency's age limit (decision 0024)
        stall_refresh(Case.objects.filter(pk=case.pk))  # from the stored stall days, not the caller's copy
        team = "、".join([lead.name, *[a.name for a in partners if a.pk != lead.pk]])
        timeline_add(
            case=case,
            kind=TimelineKind.OPENED,
            summary=_("ケース開始（担当：%(team)s）") % {"team": team},
            user=user,
            at=now,
        )
        access_record(
            user=user,
            action=Action.CREATE,
            object_type="case",
            object_ids=[case.pk],
            case_id=case.pk,
            person_ids=household.members.values_list("pk", flat=True),
        )
    return case
