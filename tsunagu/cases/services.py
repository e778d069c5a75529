"""Writes of cases. Opening a case shares the household's data with the team, so every team
member needs a sharing basis (docs/quality.md S5)."""

import datetime as dt
import uuid
from collections.abc import Iterable
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

from tsunagu.agencies.models import Agency, Membership, Role, TeamRole
from tsunagu.agencies.selectors import central_desk, staff_context
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    CaseAgency,
    CaseStatus,
    ClosureReason,
    Consent,
    EmergencyAccess,
    SharingBasis,
    TimelineEntry,
    TimelineKind,
)
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.templatetags.tsunagu import person_name_of as staff_display_name
from tsunagu.lib.wareki import format_wareki
from tsunagu.people.models import Household, Person, SupportStage


def timeline_add(
    *, case: Case, kind: str, summary: str, user: Any, at: Any = None, object_id: int | None = None
) -> TimelineEntry:
    """Append one line to a case's history; called by the service that made the event."""
    return TimelineEntry.objects.create(
        case=case,
        kind=kind,
        summary=summary[:300],
        user=user if getattr(user, "is_authenticated", False) else None,
        at=at or timezone.now(),
        object_id=object_id,
    )


def case_open(
    *,
    user: Any,
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
        case = Case.objects.create(
            household=household, status=CaseStatus.RECEIVED, opened_at=now, created_by=user, updated_by=user
        )
        CaseAgency.objects.create(case=case, agency=lead, role=TeamRole.LEAD, since=today, sharing_basis=sharing_basis)
        CaseAgency.objects.bulk_create(
            [
                CaseAgency(case=case, agency=agency, role=TeamRole.PARTNER, since=today, sharing_basis=sharing_basis)
                for agency in {a.pk: a for a in partners if a.pk != lead.pk}.values()
            ]
        )
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


def case_change_status(
    *,
    user: Any,
    case: Case,
    expected_version: int,
    status: str,
    closure_reason: str = "",
    follow_up_on: Any = None,
) -> Case:
    """Move a case through 受付 → 支援中 → 見守り → 終結; closing needs a reason, reopening keeps
    the history (the timeline keeps every change)."""
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("状態を選んでください。")})
    if status == case.status:
        raise ValidationError({"status": _("状態が変わっていません。")})
    closing = status == CaseStatus.CLOSED
    if closing and closure_reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("終結の理由を選んでください。")})
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "closed_at": now if closing else None,
        "closure_reason": closure_reason if closing else "",
        "follow_up_on": follow_up_on if closing else None,
    }
    before = case.get_status_display()
    with transaction.atomic():
        case = save_versioned(obj=case, expected_version=expected_version, user=user, fields=fields)
        summary = f"{before} → {case.get_status_display()}"
        if closing:
            summary += f"（{case.get_closure_reason_display()}"
            if follow_up_on:
                summary += "、" + _("フォローアップ %(date)s") % {"date": format_wareki(follow_up_on)}
            summary += "）"
        timeline_add(case=case, kind=TimelineKind.STATUS, summary=summary, user=user, at=now)
        access_record(user=user, action=Action.UPDATE, object_type="case", object_ids=[case.pk], case_id=case.pk)
    return case


def person_set_stage(*, user: Any, case: Case, person: Person, expected_version: int, stage: int) -> Person:
    """Record a person's support stage (the guideline's four stages) from their case."""
    if person.household_id != case.household_id:
        raise ValidationError(_("このケースの世帯の人ではありません。"))
    if stage not in SupportStage.values:
        raise ValidationError({"stage": _("支援段階を選んでください。")})
    with transaction.atomic():
        person = save_versioned(
            obj=person, expected_version=expected_version, user=user, fields={"support_stage": stage}
        )
        timeline_add(
            case=case,
            kind=TimelineKind.STAGE,
            summary=f"{person.display_name}：{SupportStage(stage).label}",
            user=user,
            object_id=person.pk,
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="person",
            object_ids=[person.pk],
            person_ids=[person.pk],
            case_id=case.pk,
        )
    return person


def eligible_workers(case: Case) -> Any:
    """Staff who may be the case's lead worker: active caseworkers, supervisors and desk staff of
    an agency on the case's current team."""
    from django.contrib.auth import get_user_model

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


def case_set_lead_worker(*, user: Any, case: Case, expected_version: int, worker: Any) -> Case:
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


class EmergencyLimitReached(ValidationError):
    """The user already holds EMERGENCY_ACCESS_PER_DAY grants today (Tokyo calendar day)."""


# Repeated use shows on the reviewers' work page: this many grants within this many days.
EMERGENCY_REPEAT_COUNT = 2
EMERGENCY_REPEAT_DAYS = 7


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the site's time zone (TIME_ZONE, Asia/Tokyo)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def emergency_open(*, user: Any, case: Case, reason: str) -> EmergencyAccess:
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


def emergency_in_scope_of(user: Any) -> QuerySet[EmergencyAccess]:
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


def emergency_reviewable_by(user: Any) -> QuerySet[EmergencyAccess]:
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


def emergency_repeated(user: Any) -> list[dict[str, Any]]:
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


def emergency_review_details(*, user: Any, emergency: EmergencyAccess) -> dict[str, Any]:
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


def emergency_review(*, user: Any, emergency: EmergencyAccess, note: str) -> EmergencyAccess:
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


# --- Sharing: consent and the case team (docs/quality.md S5) -------------------------------------------


def _check_basis(*, case: Case, agency: Agency, basis: str, basis_note: str, consent: Consent | None) -> None:
    """Refuse a share without a lawful basis; a consent must be active and name the agency."""
    if basis not in SharingBasis.values:
        raise ValidationError({"basis": _("情報共有の根拠を選んでください。")})
    if basis == SharingBasis.CONSENT:
        today = timezone.localdate()
        if (
            consent is None
            or consent.person.household_id != case.household_id
            or not consent.active_on(today)
            or not consent.agencies.filter(pk=agency.pk).exists()
        ):
            raise ValidationError({"consent": _("この機関と共有することへの有効な同意がありません。")})
    if basis == SharingBasis.OTHER_LAW and not basis_note.strip():
        raise ValidationError({"basis_note": _("根拠となる法令名を書いてください。")})


def _record_share(*, user: Any, member: CaseAgency, summary: str, reason: str) -> None:
    """A new team membership shares the household's data: on the timeline and in the audit trail."""
    case = member.case
    timeline_add(case=case, kind=TimelineKind.TEAM, user=user, object_id=member.pk, summary=summary)
    access_record(
        user=user,
        action=Action.UPDATE,
        object_type="case",
        object_ids=[case.pk],
        case_id=case.pk,
        person_ids=case.household.members.values_list("pk", flat=True),
        reason=reason,
    )


def team_add(
    *, user: Any, case: Case, agency: Agency, basis: str, basis_note: str = "", consent: Consent | None = None
) -> CaseAgency:
    _check_basis(case=case, agency=agency, basis=basis, basis_note=basis_note, consent=consent)
    if case.team.filter(agency=agency, until__isnull=True).exists():
        raise ValidationError({"agency": _("この機関はすでに担当機関です。")})
    with transaction.atomic():
        member = CaseAgency.objects.create(
            case=case,
            agency=agency,
            role=TeamRole.PARTNER,
            since=timezone.localdate(),
            sharing_basis=basis,
            basis_note=basis_note,
            consent=consent if basis == SharingBasis.CONSENT else None,
        )
        _record_share(
            user=user,
            member=member,
            summary=_("%(agency)s が協力機関に加わった（%(basis)s）")
            % {"agency": agency.name, "basis": member.get_sharing_basis_display()},
            reason=f"shared with {agency.code} ({basis})",
        )
    return member


def team_end(*, user: Any, member: CaseAgency) -> CaseAgency:
    if member.role == TeamRole.LEAD:
        raise ValidationError(_("主担当は外せません。主担当の引き継ぎをしてください。"))
    if member.until is not None:
        return member
    with transaction.atomic():
        CaseAgency.objects.filter(pk=member.pk).update(until=timezone.localdate())
        timeline_add(
            case=member.case,
            kind=TimelineKind.TEAM,
            user=user,
            object_id=member.pk,
            summary=_("%(agency)s が担当を外れた") % {"agency": member.agency.name},
        )
        access_record(
            user=user, action=Action.UPDATE, object_type="case", object_ids=[member.case_id], case_id=member.case_id
        )
    member.refresh_from_db()
    return member


def lead_handoff(
    *,
    user: Any,
    case: Case,
    to_agency: Agency,
    basis: str,
    note: str,
    basis_note: str = "",
    consent: Consent | None = None,
) -> CaseAgency:
    """Hand the lead to another agency (e.g. メルクマール → ぷらっとホーム at 40). The old lead's
    membership ends but stays in the history; the note is for the receiving agency."""
    _check_basis(case=case, agency=to_agency, basis=basis, basis_note=basis_note, consent=consent)
    current = case.team.filter(role=TeamRole.LEAD, until__isnull=True).select_related("agency").first()
    if current is not None and current.agency_id == to_agency.pk:
        raise ValidationError({"agency": _("この機関はすでに主担当です。")})
    today = timezone.localdate()
    with transaction.atomic():
        case.team.filter(agency=to_agency, until__isnull=True).update(until=today)
        if current is not None:
            CaseAgency.objects.filter(pk=current.pk).update(until=today)
        member = CaseAgency.objects.create(
            case=case,
            agency=to_agency,
            role=TeamRole.LEAD,
            since=today,
            sharing_basis=basis,
            basis_note=basis_note,
            consent=consent if basis == SharingBasis.CONSENT else None,
            note=note,
        )
        Case.objects.filter(pk=case.pk).update(lead_worker=None)
        _record_share(
            user=user,
            member=member,
            summary=_("主担当を %(old)s から %(new)s へ引き継ぎ：%(note)s")
            % {"old": current.agency.name if current else "—", "new": to_agency.name, "note": note[:120]},
            reason=f"lead handed to {to_agency.code} ({basis})",
        )
    return member


def consent_create(
    *,
    user: Any,
    person: Person,
    agencies: Iterable[Agency],
    purpose: str,
    method: str,
    given_on: Any,
    expires_on: Any = None,
    key: uuid.UUID | None = None,
) -> tuple[Consent, bool]:
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": _("共有してよい機関を選んでください。")})
    if expires_on is not None and expires_on < given_on:
        raise ValidationError({"expires_on": _("有効期限は同意日より後にしてください。")})

    def create() -> Consent:
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            method=method,
            given_on=given_on,
            expires_on=expires_on,
            created_by=user,
            updated_by=user,
        )
        consent.agencies.set(agencies)
        for case in Case.objects.filter(household_id=person.household_id).exclude(status=CaseStatus.CLOSED):
            timeline_add(
                case=case,
                kind=TimelineKind.CONSENT,
                user=user,
                object_id=consent.pk,
                summary=_("%(person)s の同意（%(method)s）：%(agencies)s")
                % {
                    "person": person.display_name,
                    "method": consent.get_method_display(),
                    "agencies": "、".join(a.name for a in agencies),
                },
            )
        access_record(
            user=user, action=Action.CREATE, object_type="consent", object_ids=[consent.pk], person_ids=[person.pk]
        )
        return consent

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def consent_withdraw(*, user: Any, consent: Consent, on: Any) -> Consent:
    """Withdrawal ends every team membership that rested on this consent."""
    if consent.withdrawn_on is not None:
        return consent
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, updated_by=user)
        ended = list(CaseAgency.objects.filter(consent=consent, until__isnull=True).select_related("agency", "case"))
        CaseAgency.objects.filter(pk__in=[m.pk for m in ended]).update(until=on)
        for member in ended:
            timeline_add(
                case=member.case,
                kind=TimelineKind.CONSENT,
                user=user,
                object_id=consent.pk,
                summary=_("同意の撤回により %(agency)s が担当を外れた") % {"agency": member.agency.name},
            )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="consent",
            object_ids=[consent.pk],
            person_ids=[consent.person_id],
            reason="withdrawn",
        )
    consent.refresh_from_db()
    return consent
