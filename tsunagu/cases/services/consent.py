"""Consent to share a person's data with named agencies: recording and withdrawing it."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    CaseAgency,
    CaseStatus,
    Consent,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.cases.work_state import ages_out_set, stall_refresh
from tsunagu.core.services import create_once
from tsunagu.core.types import User
from tsunagu.people.models import Person


def consent_create(
    *,
    user: User,
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


def consent_withdraw(*, user: User, consent: Consent, on: Any) -> Consent:
    """Withdrawal ends every team membership that rested on this consent."""
    if consent.withdrawn_on is not None:
        return consent
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, updated_by=user)
        ended = list(CaseAgency.objects.filter(consent=consent, until__isnull=True).select_related("agency", "case"))
        CaseAgency.objects.filter(pk__in=[m.pk for m in ended]).update(until=on)
        # A lead that rested on the consent has ended: those cases now stall by the default days.
        lost_lead = Case.objects.filter(pk__in={m.case_id for m in ended if m.role == TeamRole.LEAD})
        ages_out_set(lost_lead)  # no lead, no age limit
        stall_refresh(lost_lead)
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
