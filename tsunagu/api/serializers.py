"""The shapes of the API (its OpenAPI schema is generated from these).

Input serializers check only the *types* (so that any input gets a 400, never a 500); the rules
and their Japanese messages stay in the same Django forms the screens use (``views.py``), and the
services check the rest.
"""

from typing import Any

from rest_framework import serializers

from tsunagu.cases.models import CaseStatus, ClosureReason, SharingBasis, TeamRole
from tsunagu.core.templatetags.tsunagu import person_name_of
from tsunagu.intake.models import Channel, Concern, ContactPreference, ContactType, FamilyRelation
from tsunagu.people.models import Relation
from tsunagu.records.models import Method
from tsunagu.referrals.models import DeclineReason, ReferralStatus

# Ids are bigint on PostgreSQL: a larger number is refused as input, never sent to the database.
MAX_ID = 2**63 - 1


def Id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Bad input (400): the messages of each field, by the field's name.",
    )


# --- Consultations ----------------------------------------------------------------------------
class ConsultationInSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    contact_relation = serializers.ChoiceField(choices=FamilyRelation.choices, required=False, allow_blank=True)
    contact_agency = Id(required=False, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_preference = serializers.ChoiceField(
        choices=ContactPreference.choices, default=ContactPreference.MAY_CONTACT
    )
    concerns = serializers.ListField(child=serializers.ChoiceField(choices=Concern.choices), max_length=20)
    main_concern = serializers.ChoiceField(choices=Concern.choices)
    summary = serializers.CharField(max_length=4000)
    urgent = serializers.BooleanField(required=False, default=False)


class ConsultationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference_code = serializers.CharField()
    received_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="False when the Idempotency-Key was used before.")


# --- Persons ----------------------------------------------------------------------------------
class PersonSearchInSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    birth_date = serializers.DateField(required=False)
    decade = serializers.ChoiceField(choices=[(d, d) for d in range(0, 90, 10)], required=False)


class PersonOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    display_name = serializers.CharField()
    family_name_kana = serializers.CharField()
    given_name_kana = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    approx_decade = serializers.IntegerField(allow_null=True)
    district = serializers.SerializerMethodField()

    def get_district(self, person: Any) -> str:
        return str(person.household.district or "")


class PersonSearchOutSerializer(serializers.Serializer):
    persons = PersonOutSerializer(many=True)
    more = serializers.BooleanField(help_text="More matches than shown: narrow the search.")
    too_broad = serializers.BooleanField(help_text="A name term matches too many people to list: add to it.")


# --- Cases ------------------------------------------------------------------------------------
class TeamMemberSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name")
    role = serializers.ChoiceField(choices=TeamRole.choices)
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    sharing_basis = serializers.ChoiceField(choices=SharingBasis.choices)


class CaseSummarySerializer(serializers.Serializer):
    """The coordination summary (docs/access.md): who, status, team, last contact."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    household = serializers.CharField(source="household.display_name")
    district = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    closure_reason = serializers.ChoiceField(choices=ClosureReason.choices, allow_blank=True)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    lead_worker = serializers.SerializerMethodField()
    last_contact_on = serializers.DateField(allow_null=True)
    team = serializers.SerializerMethodField()
    level = serializers.ChoiceField(choices=["summary", "full"], help_text="How much of the case the caller sees.")
    basis = serializers.CharField(help_text="Why: team, emergency, referral, meeting or desk (docs/access.md).")

    def get_district(self, case: Any) -> str:
        return str(case.household.district or "")

    def get_lead_worker(self, case: Any) -> str:
        return person_name_of(case.lead_worker) if case.lead_worker_id else ""

    def get_team(self, case: Any) -> list[dict[str, Any]]:
        members = case.team.select_related("agency").order_by("role", "since", "pk")
        return TeamMemberSerializer(members, many=True).data  # type: ignore[return-value]


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    relation = serializers.ChoiceField(choices=Relation.choices)
    is_concerned = serializers.BooleanField()
    support_stage = serializers.IntegerField(allow_null=True)


class ReferralRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case_id = serializers.IntegerField()
    from_agency = serializers.CharField(source="from_agency.name")
    to_agency = serializers.CharField(source="to_agency.name")
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    requested_at = serializers.DateTimeField()
    due_on = serializers.DateField()


class PlanRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    review_on = serializers.DateField()


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Method.choices)
    reached = serializers.BooleanField()
    summary = serializers.CharField()
    next_action = serializers.CharField()
    next_action_on = serializers.DateField(allow_null=True)
    withdrawn = serializers.BooleanField()
    persons = serializers.SerializerMethodField()

    def get_persons(self, record: Any) -> list[int]:
        return [p.pk for p in record.persons.all()]


class CaseDetailsSerializer(CaseSummarySerializer):
    """The case as its team sees it: the summary, the household's members, referrals, plans and
    the latest progress records."""

    members = MemberSerializer(many=True, read_only=True, source="api_members")
    referrals = ReferralRowSerializer(many=True, read_only=True, source="api_referrals")
    plans = PlanRowSerializer(many=True, read_only=True, source="api_plans")
    records = RecordSerializer(many=True, read_only=True, source="api_records")


# --- Progress records -------------------------------------------------------------------------
class RecordInSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Method.choices)
    reached = serializers.BooleanField()
    persons = serializers.ListField(child=Id(), min_length=1, max_length=50)
    summary = serializers.CharField(max_length=4000)
    next_action = serializers.CharField(required=False, allow_blank=True, max_length=300)
    next_action_on = serializers.DateField(required=False, allow_null=True)


class RecordOutSerializer(RecordSerializer):
    case_id = serializers.IntegerField()
    created = serializers.BooleanField(help_text="False when the Idempotency-Key was used before.")


# --- Referrals --------------------------------------------------------------------------------
class ReferralInSerializer(serializers.Serializer):
    from_agency = Id(help_text="The sending agency: one of the caller's agencies on the case team.")
    agency = Id(help_text="The receiving agency.")
    person = Id(required=False, allow_null=True, help_text="A member of the household, or none (the household).")
    reason = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=2000)
    accompanied = serializers.BooleanField(required=False, default=False)
    basis = serializers.ChoiceField(choices=SharingBasis.choices)
    basis_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    consent = Id(required=False, allow_null=True)


class ReferralSerializer(ReferralRowSerializer):
    side = serializers.ChoiceField(choices=["sender", "receiver"])
    version = serializers.IntegerField(help_text="Send it back with an answer (optimistic locking).")
    person = serializers.SerializerMethodField()
    reason = serializers.CharField()
    summary = serializers.CharField()
    accompanied = serializers.BooleanField()
    sharing_basis = serializers.ChoiceField(choices=SharingBasis.choices)
    basis_note = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices, allow_blank=True)
    answer_comment = serializers.CharField()
    first_met_on = serializers.DateField(allow_null=True)

    def get_person(self, referral: Any) -> str:
        return referral.person.display_name if referral.person_id else ""


class ReferralListSerializer(serializers.Serializer):
    received = ReferralRowSerializer(many=True)
    sent = ReferralRowSerializer(many=True)
    received_next = serializers.CharField(help_text="Query string of the next page of received referrals, or empty.")
    sent_next = serializers.CharField(help_text="Query string of the next page of sent referrals, or empty.")


class AnswerInSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    answer = serializers.ChoiceField(choices=["accept", "decline"])
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices, required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


# --- Places and events ------------------------------------------------------------------------
class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    organiser = serializers.CharField()
    description = serializers.CharField()
    audience = serializers.CharField()
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    district = serializers.SerializerMethodField()
    address = serializers.CharField()
    schedule = serializers.CharField()
    joining = serializers.CharField()
    is_public = serializers.BooleanField()

    def get_district(self, place: Any) -> str:
        return str(place.district or "")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    place_id = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    venue = serializers.CharField()
    audience = serializers.CharField()
    how_to_apply = serializers.CharField()
    apply_by = serializers.DateField(allow_null=True)
