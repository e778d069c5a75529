"""Retention holds: a supervisor stops the retention job for a case (decision 0031).

A hold is placed and lifted by a supervisor of the case's current lead agency or of the central
desk. The hold row keeps who and when; the placing and the lifting are also access events in the
append-only trail (object type ``retention_hold``), written in the same transaction, so that a
lifted hold cannot be made to look as if it had never existed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Role, TeamRole
from tsunagu.agencies.selectors import central_desk, staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, CaseAgency, RetentionHold
from tsunagu.core.types import User

OBJECT_TYPE = "retention_hold"


def may_hold(user: User, case: Case) -> bool:
    """A supervisor of the case's current lead agency or of the central desk."""
    supervised = staff_context(user).agency_ids(Role.SUPERVISOR)
    if not supervised:
        return False
    desk = central_desk()
    if desk is not None and desk.pk in supervised:
        return True
    return CaseAgency.objects.filter(
        case=case, role=TeamRole.LEAD, until__isnull=True, agency_id__in=supervised
    ).exists()


def hold_place(*, user: User, case: Case, reason: str) -> RetentionHold:
    if not may_hold(user, case):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("保存を続ける理由を入力してください。"))
    if case.anonymised_at is not None:
        raise ValidationError(_("このケースはすでに匿名化されています。"))
    with transaction.atomic():
        hold = RetentionHold.objects.create(case=case, reason=reason, placed_by=user, placed_at=timezone.now())
        access_record(
            user=user,
            action=Action.CREATE,
            object_type=OBJECT_TYPE,
            object_ids=[hold.pk],
            case_id=case.pk,
            reason=f"retention hold placed: {reason}",
        )
    return hold


def hold_lift(*, user: User, hold: RetentionHold) -> RetentionHold:
    if not may_hold(user, hold.case):
        raise PermissionDenied
    with transaction.atomic():
        locked = RetentionHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            return locked
        locked.lifted_at = timezone.now()
        locked.lifted_by = user
        locked.save(update_fields=["lifted_at", "lifted_by"])
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type=OBJECT_TYPE,
            object_ids=[locked.pk],
            case_id=locked.case_id,
            reason="retention hold lifted",
        )
    return locked
