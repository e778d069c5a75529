"""Emergency access: a time-limited reading of a case outside one's team, with a reason, a daily
limit, and a supervisor's review afterwards (docs/decisions/0012)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tsunagu.agencies.models import Membership, Role
from tsunagu.agencies.selectors import central_desk, staff_context
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    EmergencyAccess,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.core.types import User


class EmergencyLimitReached(ValidationError):
    """The user already holds EMERGENCY_ACCESS_PER_DAY grants today (Tokyo calendar day)."""


# Repeated use shows on the reviewers' work page: this many grants within this many days.
EMERGENCY_REPEAT_COUNT = 2
EMERGENCY_REPEAT_DAYS = 7


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the site's time zone (TIME_ZONE, Asia/Tokyo)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def emergency_open(*, user: User, case: Case, reason: str) -> EmergencyAccess:
    """Break the glass: time-limited read access to a case, with the reason on record (S13).

    At most EMERGENCY_ACCESS_PER_DAY grants per user and Tokyo calendar day. The user's row is
    locked before counting, so two parallel requests at the limit cannot both be granted
    (PostgreSQL; SQLite serialises writers anyway)."""
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("理由を10文字以上で具体的に書いてください。")})
    now = timezone.now()
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        today = EmergencyAccess.objects.filter(user=user, started_at__gte=day_start(timezone.localdate(now))).count()
        limit = settings.EMERGENCY_ACCESS_PER_DAY
        if today >= limit:
            raise EmergencyLimitReached(
                _(
                    "緊急アクセスは1日%(n)s件までです。今日はこれ以上開けません。"
                    "急ぎの場合は、ケースの担当機関か相談窓口（センター）に連絡してください。"
                )
                % {"n": limit}
            )
        emergency = EmergencyAccess.objects.create(
            case=case,
            user=user,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + dt.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )
        timeline_add(
            case=case,
            kind=TimelineKind.EMERGENCY,
            object_id=emergency.pk,
            user=user,
            summary=_("緊急アクセス：%(reason)s") % {"reason": emergency.reason[:200]},
        )
        access_record(
            user=user,
            action=Action.VIEW,
            object_type="case",
            object_ids=[case.pk],
            case_id=case.pk,
            reason=f"emergency opened: {emergency.reason}",
            basis="emergency",
        )
    return emergency


def emergency_in_scope_of(user: User) -> QuerySet[EmergencyAccess]:
    """Every emergency grant the user reviews (reviewed or not), never the user's own.

    A supervisor reviews the grants of staff of the agencies they supervise. A grant whose user
    has no other supervisor in any of their agencies (the agency has none, or the user is its
    only one) falls to the supervisors of the central desk, so that every grant has a reviewer
    (docs/decisions/0012)."""
    supervised = staff_context(user).agency_ids(Role.SUPERVISOR)
    if not supervised:
        return EmergencyAccess.objects.none()
    rule = Q(
        Exists(
            Membership.objects.filter(user=OuterRef("user"), agency_id__in=supervised, active=True, agency__active=True)
        )
    )
    desk = central_desk()
    if desk is not None and desk.pk in supervised:
        other_supervisor = Membership.objects.filter(
            role=Role.SUPERVISOR,
            active=True,
            agency__active=True,
            agency__memberships__user=OuterRef("user"),
            agency__memberships__active=True,
        ).exclude(user=OuterRef("user"))
        rule |= ~Q(Exists(other_supervisor))
    return EmergencyAccess.objects.filter(rule).exclude(user=user)


def emergency_reviewable_by(user: User) -> QuerySet[EmergencyAccess]:
    """Emergency grants waiting for the user's review, oldest first, with how often their user
    used emergency access lately (``week_count``, ``today_count``)."""
    now = timezone.now()
    recent = EmergencyAccess.objects.filter(user=OuterRef("user")).values("user").annotate(n=Count("pk")).values("n")
    return (
        emergency_in_scope_of(user)
        .filter(reviewed_at__isnull=True)
        .annotate(
            week_count=Coalesce(
                Subquery(
                    recent.filter(started_at__gte=now - dt.timedelta(days=EMERGENCY_REPEAT_DAYS)),
                    output_field=IntegerField(),
                ),
                0,
            ),
            today_count=Coalesce(
                Subquery(
                    recent.filter(started_at__gte=day_start(timezone.localdate(now))), output_field=IntegerField()
                ),
                0,
            ),
        )
        .select_related("case", "user")
        .order_by("started_at", "pk")
    )


def emergency_repeated(user: User) -> list[dict[str, Any]]:
    """Staff in the user's review scope who used emergency access EMERGENCY_REPEAT_COUNT times or
    more within EMERGENCY_REPEAT_DAYS, or reached today's limit (reviewed or not)."""
    now = timezone.now()
    since = now - dt.timedelta(days=EMERGENCY_REPEAT_DAYS)
    today = day_start(timezone.localdate(now))
    rows = list(
        emergency_in_scope_of(user)
        .filter(started_at__gte=since)
        .values("user")
        .annotate(week=Count("pk"), today=Count("pk", filter=Q(started_at__gte=today)), last=Max("started_at"))
        .filter(Q(week__gte=EMERGENCY_REPEAT_COUNT) | Q(today__gte=settings.EMERGENCY_ACCESS_PER_DAY))
        .order_by("-week", "-last")
    )
    rows = list(rows)
    users = get_user_model().objects.in_bulk([row["user"] for row in rows])
    return [
        {**row, "user": users[row["user"]], "at_limit": row["today"] >= settings.EMERGENCY_ACCESS_PER_DAY}
        for row in rows
    ]


OBJECT_TYPE_LABELS = {
    "case": _lazy("ケース"),
    "household": _lazy("世帯"),
    "person": _lazy("人"),
    "consultation": _lazy("相談"),
    "record": _lazy("支援経過"),
    "assessment": _lazy("アセスメント"),
    "plan": _lazy("支援計画"),
    "referral": _lazy("つなぎ"),
    "meeting": _lazy("会議"),
}
EMERGENCY_REVIEW_READS = 500


def emergency_review_details(*, user: User, emergency: EmergencyAccess) -> dict[str, Any]:
    """What the reviewer needs, read from the access trail: the user's agencies and every access
    event of the user on that case while the grant lasted (pages, objects, times). Opening the
    review is itself an access event."""
    reads = list(
        AccessEvent.objects.filter(
            user_id=emergency.user_id,
            case_id=emergency.case_id,
            at__gte=emergency.started_at,
            at__lte=emergency.expires_at,
        ).order_by("at", "id")[:EMERGENCY_REVIEW_READS]
    )
    for event in reads:
        event.kind_label = OBJECT_TYPE_LABELS.get(event.object_type, event.object_type)  # type: ignore[attr-defined]
    agencies = list(
        Membership.objects.filter(user_id=emergency.user_id, active=True)
        .select_related("agency")
        .order_by("agency__name")
    )
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="emergency_access",
        object_ids=[emergency.pk],
        case_id=emergency.case_id,
        reason="emergency review",
        basis="review",
    )
    return {"reads": reads, "memberships": agencies, "truncated": len(reads) >= EMERGENCY_REVIEW_READS}


def emergency_review(*, user: User, emergency: EmergencyAccess, note: str) -> EmergencyAccess:
    """Mark a grant reviewed, once; only a reviewer in scope may."""
    if not emergency_in_scope_of(user).filter(pk=emergency.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        updated = EmergencyAccess.objects.filter(pk=emergency.pk, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by=user, review_note=note[:500]
        )
        if updated:
            access_record(
                user=user,
                action=Action.UPDATE,
                object_type="emergency_access",
                object_ids=[emergency.pk],
                case_id=emergency.case_id,
                reason="emergency reviewed",
            )
    emergency.refresh_from_db()
    return emergency
