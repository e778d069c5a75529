"""Writes of consultations: desk registration, public requests, edits and triage."""

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, TimelineKind
from tsunagu.cases.services import case_open, timeline_add
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.intake.models import (
    Channel,
    Consultation,
    ContactPreference,
    ContactType,
    FamilyRelation,
    Screening,
    Source,
)
from tsunagu.people.models import Household, Person, Relation
from tsunagu.people.services import (
    HouseholdData,
    PersonData,
    household_create,
    person_check_duplicate,
    person_create,
)

CONSULTATION_FIELDS = (
    "received_at",
    "channel",
    "contact_type",
    "contact_relation",
    "contact_agency",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_note",
    "contact_preference",
    "concerns",
    "main_concern",
    "summary",
    "urgent",
)
# Letters and digits that cannot be mistaken for each other when read aloud or on paper.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference_code() -> str:
    """An unguessable reference code such as 7K3M-Q9PX, read out over the phone."""
    while True:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not Consultation.objects.filter(reference_code=code).exists():
            return code


@dataclass(frozen=True)
class ConsultationData:
    """What the desk records of a consultation (the consultation form's fields)."""

    received_at: dt.datetime
    channel: str
    contact_type: str
    summary: str
    contact_relation: str = ""
    contact_agency: Agency | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_note: str = ""
    contact_preference: str = ContactPreference.MAY_CONTACT
    concerns: Sequence[str] = ()
    main_concern: str = ""
    urgent: bool = False

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> "ConsultationData":
        """From a form's cleaned data (fields it does not have keep their defaults)."""
        return cls(**{name: cleaned[name] for name in CONSULTATION_FIELDS if name in cleaned})

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CONSULTATION_FIELDS} | {"concerns": list(self.concerns)}


def _check_concerns(data: ConsultationData) -> None:
    concerns = data.concerns or []
    main = data.main_concern or ""
    if main and main not in concerns:
        raise ValidationError({"main_concern": _("主な相談内容は、チェックした項目から選んでください。")})


def consultation_create(*, user: User, data: ConsultationData, key: uuid.UUID | None) -> tuple[Consultation, bool]:
    _check_concerns(data)

    def create() -> Consultation:
        consultation = Consultation(
            **data.fields(),
            reference_code=new_reference_code(),
            source=Source.DESK,
            received_by=user,
            created_by=user,
            updated_by=user,
        )
        consultation.full_clean()
        consultation.save()
        access_record(user=user, action=Action.CREATE, object_type="consultation", object_ids=[consultation.pk])
        return consultation

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def consultation_update(
    *, user: User, consultation: Consultation, expected_version: int, data: ConsultationData
) -> Consultation:
    _check_concerns(data)
    fields = data.fields()
    with transaction.atomic():
        consultation = save_versioned(obj=consultation, expected_version=expected_version, user=user, fields=fields)
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="consultation",
            object_ids=[consultation.pk],
            person_ids=[consultation.person_id],
            case_id=consultation.case_id,
        )
    return consultation


PUBLIC_REQUEST_FIELDS = (
    "contact_type",
    "contact_relation",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_note",
    "contact_preference",
    "concerns",
    "summary",
)


@dataclass(frozen=True)
class PublicRequestData:
    """What a member of the public wrote on the request form (no one signed in)."""

    contact_type: str
    summary: str
    contact_relation: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_note: str = ""
    contact_preference: str = ContactPreference.MAY_CONTACT
    concerns: Sequence[str] = ()

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> "PublicRequestData":
        """From the public form's cleaned data (fields it does not have keep their defaults)."""
        return cls(**{name: cleaned[name] for name in PUBLIC_REQUEST_FIELDS if name in cleaned})


def public_request_submit(*, data: PublicRequestData, key: uuid.UUID | None) -> tuple[Consultation, bool]:
    """A request from the public form; it lands in the desk queue as オンライン相談フォーム.

    Returns (consultation, created): a resubmission of the same form (same key) is not new."""

    def create() -> Consultation:
        wants_contact = data.contact_preference != ContactPreference.NO_CONTACT
        consultation = Consultation(
            reference_code=new_reference_code(),
            source=Source.PUBLIC_FORM,
            received_at=timezone.now(),
            channel=Channel.ONLINE_FORM,
            contact_type=data.contact_type,
            contact_relation=data.contact_relation,
            contact_name=data.contact_name if wants_contact else "",
            contact_phone=data.contact_phone if wants_contact else "",
            contact_email=data.contact_email if wants_contact else "",
            contact_note=data.contact_note if wants_contact else "",
            contact_preference=data.contact_preference,
            concerns=list(data.concerns),
            summary=data.summary,
        )
        consultation.full_clean()
        consultation.save()
        access_record(
            user=None,
            action=Action.CREATE,
            object_type="consultation",
            object_ids=[consultation.pk],
            reason="public form",
        )
        return consultation

    with transaction.atomic():
        return create_once(key=key, user=None, create=create)


@dataclass(frozen=True)
class TriageDecision:
    """What the desk decided on a consultation: the screening outcome, the household and person
    (chosen records, or the data of new ones), the caller as a household member, and the case's
    lead, partners and sharing basis."""

    screening: str
    note: str = ""
    household: Household | None = None
    household_data: HouseholdData | None = None
    person: Person | None = None
    person_data: PersonData | None = None
    contact_as_member: PersonData | None = None
    lead: Agency | None = None
    partners: tuple[Agency, ...] = ()
    sharing_basis: str = ""
    # The desk looked at the similar persons and registers somebody else (people.services).
    confirmed_not_duplicate: bool = False


CONTACT_RELATION_TO_PERSON: dict[str, str] = {
    FamilyRelation.MOTHER: Relation.MOTHER,
    FamilyRelation.FATHER: Relation.FATHER,
    FamilyRelation.SIBLING: Relation.SIBLING,
    FamilyRelation.SPOUSE: Relation.SPOUSE,
    FamilyRelation.GRANDPARENT: Relation.GRANDPARENT,
}


def contact_as_member(consultation: Consultation, *, decade: int | None) -> PersonData | None:
    """The family member who called, as a member of the household (unnamed: 相談者（母）), or None
    when the caller is not family."""
    if consultation.contact_type != ContactType.FAMILY:
        return None
    return PersonData(
        label=_("相談者（%(relation)s）") % {"relation": consultation.get_contact_relation_display()},
        relation=CONTACT_RELATION_TO_PERSON.get(consultation.contact_relation, Relation.OTHER),
        approx_decade=decade,
        phone=consultation.contact_phone,
    )


def consultation_triage(
    *, user: User, consultation: Consultation, expected_version: int, decision: TriageDecision
) -> Consultation:
    """Record the screening outcome, attach or create the household and person, and open a case.

    All or nothing (docs/quality.md R1): a failure at any step leaves the database as it was. A new
    person who looks like one already registered is refused (people.services.PossibleDuplicate)
    unless the desk confirmed they are somebody else.
    """
    if consultation.is_triaged:
        raise ValidationError(_("この相談はすでに振り分け済みです。"))
    if decision.screening not in Screening.values:
        raise ValidationError({"screening": _("スクリーニング結果を選んでください。")})
    if decision.screening == Screening.CONTINUE and decision.lead is None:
        raise ValidationError({"lead": _("継続支援には主担当機関を選んでください。")})
    if decision.person is None and decision.person_data is not None:
        # Outside the transaction below: the check is an audited search, kept when it refuses.
        person_check_duplicate(
            user=user,
            family_name=decision.person_data.family_name,
            given_name=decision.person_data.given_name,
            family_name_kana=decision.person_data.family_name_kana,
            given_name_kana=decision.person_data.given_name_kana,
            birth_date=decision.person_data.birth_date,
            confirmed_different=decision.confirmed_not_duplicate,
        )
    with transaction.atomic():
        household = decision.household
        if household is None and decision.household_data is not None:
            household = household_create(
                user=user,
                data=decision.household_data,
                member_follows=decision.person_data is not None or bool(decision.contact_as_member),
            )
        person = decision.person
        if person is None and decision.person_data is not None:
            if household is None:
                raise ValidationError(_("対象者を登録するには世帯を選ぶか登録してください。"))
            person = person_create(user=user, household=household, data=decision.person_data)
        if person is not None and household is None:
            household = person.household
        if decision.contact_as_member and household is not None:
            person_create(user=user, household=household, data=decision.contact_as_member)
        case: Case | None = None
        if decision.screening == Screening.CONTINUE:
            if household is None:
                raise ValidationError(_("継続支援にはケースを開く世帯が必要です。"))
            assert decision.lead is not None
            case = case_open(
                user=user,
                household=household,
                lead=decision.lead,
                sharing_basis=decision.sharing_basis,
                partners=decision.partners,
            )
            timeline_add(
                case=case,
                kind=TimelineKind.CONSULTATION,
                at=consultation.received_at,
                object_id=consultation.pk,
                user=user,
                summary=f"{consultation.reference_code}（{consultation.get_channel_display()}・"
                f"{consultation.contact_display}）{consultation.summary[:80]}",
            )
        consultation = save_versioned(
            obj=consultation,
            expected_version=expected_version,
            user=user,
            fields={
                "screening": decision.screening,
                "screening_note": decision.note,
                "triaged_at": timezone.now(),
                "triaged_by": user,
                "household": household,
                "person": person,
                "case": case,
            },
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="consultation",
            object_ids=[consultation.pk],
            person_ids=[consultation.person_id],
            case_id=consultation.case_id,
            reason="triage",
        )
    return consultation
