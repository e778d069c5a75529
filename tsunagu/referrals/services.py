"""Writes of referrals. Each one checks the state it starts from, so a double click or two staff
answering at once give one answer and a clear message, never two."""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, CaseAgency, Consent, SharingBasis, TimelineKind
from tsunagu.cases.services import _check_basis, team_add, timeline_add
from tsunagu.core.services import create_once, created_for_key, save_versioned
from tsunagu.core.types import User
from tsunagu.lib.businessdays import add_business_days
from tsunagu.lib.wareki import format_wareki
from tsunagu.people.models import Person
from tsunagu.referrals.models import DeclineReason, Referral, ReferralEvent, ReferralEventKind, ReferralStatus


def referral_due_on(*, to_agency: Agency, sent_on: dt.date) -> dt.date:
    """The answer is due on the N-th business day after sending (N set per receiving agency)."""
    return add_business_days(sent_on, to_agency.referral_days)


def _event(*, referral: Referral, kind: str, user: User | None, text: str = "", at: Any = None) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        user=user if getattr(user, "is_authenticated", False) else None,
        text=text,
        at=at or timezone.now(),
    )


def _timeline(*, referral: Referral, user: User | None, summary: str) -> None:
    timeline_add(case=referral.case, kind=TimelineKind.REFERRAL, user=user, object_id=referral.pk, summary=summary)


def _audit(*, user: User, referral: Referral, action: str, reason: str) -> None:
    access_record(
        user=user,
        action=action,
        object_type="referral",
        object_ids=[referral.pk],
        person_ids=[referral.person_id],
        case_id=referral.case_id,
        reason=reason,
    )


def _must_be(referral: Referral, *statuses: str) -> None:
    if referral.status not in statuses:
        raise ValidationError(
            _("このつなぎはすでに「%(status)s」です。画面を開き直してください。")
            % {"status": referral.get_status_display()}
        )


def referral_send(
    *,
    user: User,
    case: Case,
    from_agency: Agency,
    to_agency: Agency,
    person: Person | None,
    reason: str,
    summary: str,
    basis: str,
    basis_note: str = "",
    consent: Consent | None = None,
    accompanied: bool = False,
    key: uuid.UUID | None = None,
) -> tuple[Referral, bool]:
    """Send a referral. Sharing the summary needs a basis (S5); the share is recorded (S3)."""
    if not case.team.filter(agency=from_agency, until__isnull=True).exists():
        raise ValidationError({"from_agency": _("依頼元は、このケースの担当機関から選んでください。")})
    if to_agency.pk == from_agency.pk:
        raise ValidationError({"agency": _("依頼元と同じ機関にはつなげません。")})
    if case.team.filter(agency=to_agency, until__isnull=True).exists():
        raise ValidationError({"agency": _("この機関はすでにケースの担当機関です。")})
    if person is not None and person.household_id != case.household_id:
        raise ValidationError({"person": _("このケースの世帯の人を選んでください。")})
    _check_basis(case=case, agency=to_agency, basis=basis, basis_note=basis_note, consent=consent)

    def create() -> Referral:
        if Referral.objects.filter(case=case, to_agency=to_agency, status=ReferralStatus.REQUESTED).exists():
            raise ValidationError({"agency": _("この機関への回答待ちのつなぎがすでにあります。")})
        now = timezone.now()
        referral = Referral.objects.create(
            case=case,
            person=person,
            from_agency=from_agency,
            to_agency=to_agency,
            reason=reason,
            summary=summary,
            sharing_basis=basis,
            basis_note=basis_note,
            consent=consent if basis == SharingBasis.CONSENT else None,
            accompanied=accompanied,
            requested_at=now,
            due_on=referral_due_on(to_agency=to_agency, sent_on=timezone.localdate(now)),
            created_by=user,
            updated_by=user,
        )
        _event(referral=referral, kind=ReferralEventKind.SENT, user=user, text=reason, at=now)
        _timeline(
            referral=referral,
            user=user,
            summary=_("%(to)s へつなぎを依頼（%(basis)s、回答期限 %(due)s）：%(reason)s")
            % {
                "to": to_agency.name,
                "basis": referral.get_sharing_basis_display(),
                "due": format_wareki(referral.due_on),
                "reason": reason[:100],
            },
        )
        _audit(user=user, referral=referral, action=Action.SHARE, reason=f"referred to {to_agency.code} ({basis})")
        return referral

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def referral_accept(*, user: User, referral: Referral, expected_version: int, comment: str = "") -> Referral:
    """Accepting makes the receiving agency a member of the case team, on the referral's basis."""
    _must_be(referral, ReferralStatus.REQUESTED)
    case = referral.case
    with transaction.atomic():
        member = CaseAgency.objects.filter(case=case, agency=referral.to_agency, until__isnull=True).first()
        if member is None:
            try:
                member = team_add(
                    user=user,
                    case=case,
                    agency=referral.to_agency,
                    basis=referral.sharing_basis,
                    basis_note=referral.basis_note,
                    consent=referral.consent,
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("受理できません（情報共有の根拠が有効ではなくなりました：%(why)s）。依頼元に確認してください。")
                    % {"why": " ".join(exc.messages)}
                ) from exc
        now = timezone.now()
        referral = save_versioned(
            obj=referral,
            expected_version=expected_version,
            user=user,
            fields={
                "status": ReferralStatus.ACCEPTED,
                "answered_at": now,
                "answered_by": user,
                "answer_comment": comment,
                "member": member,
                "question_open": False,
            },
        )
        _event(referral=referral, kind=ReferralEventKind.ACCEPTED, user=user, text=comment, at=now)
        _timeline(
            referral=referral,
            user=user,
            summary=_("%(to)s がつなぎを受理") % {"to": referral.to_agency.name},
        )
        _audit(user=user, referral=referral, action=Action.UPDATE, reason="accepted")
    return referral


def referral_decline(
    *, user: User, referral: Referral, expected_version: int, decline_reason: str, comment: str
) -> Referral:
    errors = {}
    if decline_reason not in DeclineReason.values:
        errors["decline_reason"] = _("辞退の理由を選んでください。")
    if not comment.strip():
        errors["comment"] = _("依頼元が次の手を考えられるよう、コメントを書いてください。")
    if errors:
        raise ValidationError(errors)
    _must_be(referral, ReferralStatus.REQUESTED)
    now = timezone.now()
    with transaction.atomic():
        referral = save_versioned(
            obj=referral,
            expected_version=expected_version,
            user=user,
            fields={
                "status": ReferralStatus.DECLINED,
                "decline_reason": decline_reason,
                "answer_comment": comment.strip(),
                "answered_at": now,
                "answered_by": user,
                "question_open": False,
            },
        )
        _event(referral=referral, kind=ReferralEventKind.DECLINED, user=user, text=comment.strip(), at=now)
        _timeline(
            referral=referral,
            user=user,
            summary=_("%(to)s がつなぎを辞退（%(reason)s）：%(comment)s")
            % {
                "to": referral.to_agency.name,
                "reason": referral.get_decline_reason_display(),
                "comment": comment.strip()[:100],
            },
        )
        _audit(user=user, referral=referral, action=Action.UPDATE, reason="declined")
    return referral


def referral_message(
    *, user: User, referral: Referral, side: str, text: str, key: uuid.UUID | None = None
) -> ReferralEvent:
    """A question from the receiver (the referral stays open), or the sender's reply. The same
    submission twice (a double click, the back button) is one message."""
    if not text.strip():
        raise ValidationError({"text": _("内容を書いてください。")})
    earlier = created_for_key(key)
    if isinstance(earlier, ReferralEvent) and earlier.referral_id == referral.pk:
        return earlier
    _must_be(referral, ReferralStatus.REQUESTED)
    kind = ReferralEventKind.QUESTION if side == "receiver" else ReferralEventKind.REPLY

    def create() -> ReferralEvent:
        Referral.objects.filter(pk=referral.pk).update(question_open=kind == ReferralEventKind.QUESTION)
        event = _event(referral=referral, kind=kind, user=user, text=text.strip())
        _audit(user=user, referral=referral, action=Action.UPDATE, reason=kind)
        return event

    with transaction.atomic():
        event, _created = create_once(key=key, user=user, create=create)
    referral.refresh_from_db()
    return event


def referral_first_met(*, user: User, referral: Referral, expected_version: int, on: dt.date) -> Referral:
    _must_be(referral, ReferralStatus.ACCEPTED)
    if on < timezone.localdate(referral.requested_at):
        raise ValidationError({"on": _("依頼日より前の日付です。")})
    with transaction.atomic():
        referral = save_versioned(
            obj=referral,
            expected_version=expected_version,
            user=user,
            fields={"status": ReferralStatus.FIRST_MET, "first_met_on": on},
        )
        _event(referral=referral, kind=ReferralEventKind.FIRST_MET, user=user, text=format_wareki(on))
        _timeline(
            referral=referral,
            user=user,
            summary=_("%(to)s が初回面談（%(date)s）") % {"to": referral.to_agency.name, "date": format_wareki(on)},
        )
        _audit(user=user, referral=referral, action=Action.UPDATE, reason="first meeting")
    return referral


def referral_withdraw(*, user: User, referral: Referral, expected_version: int, reason: str) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": _("取り下げる理由を書いてください。")})
    _must_be(referral, ReferralStatus.REQUESTED)
    now = timezone.now()
    with transaction.atomic():
        referral = save_versioned(
            obj=referral,
            expected_version=expected_version,
            user=user,
            fields={"status": ReferralStatus.WITHDRAWN, "withdrawn_at": now, "question_open": False},
        )
        _event(referral=referral, kind=ReferralEventKind.WITHDRAWN, user=user, text=reason.strip(), at=now)
        _timeline(
            referral=referral,
            user=user,
            summary=_("%(to)s へのつなぎを取下げ：%(reason)s")
            % {"to": referral.to_agency.name, "reason": reason.strip()[:100]},
        )
        _audit(user=user, referral=referral, action=Action.UPDATE, reason="withdrawn")
    return referral


def referral_seen(*, user: User, referral: Referral) -> Referral:
    """The sender has read the answer: it leaves their work page."""
    if not referral.answered or referral.sender_seen_at is not None:
        return referral
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, sender_seen_at__isnull=True).update(
            sender_seen_at=timezone.now()
        )
        if updated:
            _event(referral=referral, kind=ReferralEventKind.SEEN, user=user)
    referral.refresh_from_db()
    return referral


def referrals_escalate(*, today: dt.date) -> int:
    """Mark every referral still unanswered after its due day as escalated, once.

    Escalated referrals appear on the work page of the sending agency's supervisors and of the
    desk. Run daily (``manage.py escalate_referrals``); running it twice on a day changes nothing.
    """
    overdue = list(
        Referral.objects.filter(status=ReferralStatus.REQUESTED, due_on__lt=today, escalated_at__isnull=True)
        .select_related("case", "to_agency")
        .order_by("pk")
    )
    count = 0
    for referral in overdue:
        with transaction.atomic():
            now = timezone.now()
            if not Referral.objects.filter(pk=referral.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            text = _("回答期限（%(due)s）を過ぎても回答がありません") % {"due": format_wareki(referral.due_on)}
            _event(referral=referral, kind=ReferralEventKind.ESCALATED, user=None, text=text, at=now)
            _timeline(
                referral=referral,
                user=None,
                summary=_("%(to)s へのつなぎ：%(text)s") % {"to": referral.to_agency.name, "text": text},
            )
            count += 1
    return count
