"""Sharing with the case team: adding and ending partners, handing the lead over; each share
needs a lawful basis: consent naming the agency, a support meeting, or another law."""

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
    Consent,
    SharingBasis,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.cases.work_state import agency_lock, ages_out_set, case_lock, stall_refresh, team_state_refresh
from tsunagu.core.types import User

# --- Sharing: consent and the case team (docs/quality.md S5) -------------------------------------


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


def _record_share(*, user: User, member: CaseAgency, summary: str, reason: str) -> None:
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
    *, user: User, case: Case, agency: Agency, basis: str, basis_note: str = "", consent: Consent | None = None
) -> CaseAgency:
    _check_basis(case=case, agency=agency, basis=basis, basis_note=basis_note, consent=consent)
    if case.team.filter(agency=agency, until__isnull=True).exists():
        raise ValidationError({"agency": _("この機関はすでに担当機関です。")})
    with transaction.atomic():
        case_lock(case.pk)  # a record saved meanwhile would not see the new row to copy its state onto
        member = CaseAgency.objects.create(
            case=case,
            agency=agency,
            role=TeamRole.PARTNER,
            since=timezone.localdate(),
            sharing_basis=basis,
            basis_note=basis_note,
            consent=consent if basis == SharingBasis.CONSENT else None,
        )
        team_state_refresh(Case.objects.filter(pk=case.pk))
        _record_share(
            user=user,
            member=member,
            summary=_("%(agency)s が協力機関に加わった（%(basis)s）")
            % {"agency": agency.name, "basis": member.get_sharing_basis_display()},
            reason=f"shared with {agency.code} ({basis})",
        )
    return member


def team_end(*, user: User, member: CaseAgency) -> CaseAgency:
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
    user: User,
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
    today = timezone.localdate()
    with transaction.atomic():
        case_lock(case.pk)
        agency_lock(to_agency.pk)  # its stall days, as in case_open
        # Read under the case's lock: two hand-offs at once see each other's result (a second
        # one to the same agency is refused with a message, not a unique-constraint error).
        current = case.team.filter(role=TeamRole.LEAD, until__isnull=True).select_related("agency").first()
        if current is not None and current.agency_id == to_agency.pk:
            raise ValidationError({"agency": _("この機関はすでに主担当です。")})
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
        ages_out_set(Case.objects.filter(pk=case.pk))  # the new lead's age limit
        stall_refresh(Case.objects.filter(pk=case.pk))  # the new lead's stall days (and the team rows)
        _record_share(
            user=user,
            member=member,
            summary=_("主担当を %(old)s から %(new)s へ引き継ぎ：%(note)s")
            % {"old": current.agency.name if current else "—", "new": to_agency.name, "note": note[:120]},
            reason=f"lead handed to {to_agency.code} ({basis})",
        )
    return member
