"""Writes of households and persons. Each records its access event in the same transaction."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.agencies.models import District, PostalCode
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.core.services import save_versioned
from tsunagu.core.types import User
from tsunagu.lib import kana, wareki
from tsunagu.people.models import Disability, Household, Person, PersonNameKey, Relation, Sex
from tsunagu.people.selectors import person_find_similar
from tsunagu.people.signals import persons_changed

HOUSEHOLD_FIELDS = (
    "label",
    "postal_code",
    "address",
    "district",
    "phone",
    "sig_elderly_parent",
    "sig_adult_child_home",
    "sig_parent_pension",
    "sig_care_need",
    "sig_arrears",
    "sig_refuses_services",
)
PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "label",
    "sex",
    "birth_date",
    "approx_decade",
    "relation",
    "is_concerned",
    "disability",
    "withdrawal_since",
    "going_out",
    "phone",
)


@dataclass(frozen=True)
class HouseholdData:
    """What a household is written with (the household form's fields)."""

    label: str = ""
    postal_code: str = ""
    address: str = ""
    district: District | None = None
    phone: str = ""
    sig_elderly_parent: bool = False
    sig_adult_child_home: bool = False
    sig_parent_pension: bool = False
    sig_care_need: bool = False
    sig_arrears: bool = False
    sig_refuses_services: bool = False

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> "HouseholdData":
        """From a form's cleaned data (fields it does not have keep their defaults)."""
        return cls(**{name: cleaned[name] for name in HOUSEHOLD_FIELDS if name in cleaned})

    @classmethod
    def of(cls, household: Household) -> "HouseholdData":
        """The household as it is, to change a few fields with ``dataclasses.replace``."""
        return cls(**{name: getattr(household, name) for name in HOUSEHOLD_FIELDS})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HOUSEHOLD_FIELDS}


@dataclass(frozen=True)
class PersonData:
    """What a person is written with (the person form's fields). ``withdrawal_since`` may be
    approximate (``wareki.ApproxDate``: 平成18年ごろ) or a day."""

    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    label: str = ""
    sex: str = Sex.UNKNOWN
    birth_date: dt.date | None = None
    approx_decade: int | None = None
    relation: str = Relation.UNKNOWN
    is_concerned: bool = False
    disability: str = Disability.UNKNOWN
    withdrawal_since: wareki.ApproxDate | dt.date | None = None
    going_out: int | None = None
    phone: str = ""

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> "PersonData":
        """From a form's cleaned data (fields it does not have keep their defaults)."""
        return cls(**{name: cleaned[name] for name in PERSON_FIELDS if name in cleaned})

    @classmethod
    def of(cls, person: Person) -> "PersonData":
        """The person as they are, to change a few fields with ``dataclasses.replace``."""
        return cls(
            **{name: getattr(person, name) for name in PERSON_FIELDS}
            | {"withdrawal_since": person.withdrawal_since_approx}
        )

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PERSON_FIELDS}


def _person_fields(data: PersonData) -> dict[str, Any]:
    """The person's columns; an approximate withdrawal onset (``wareki.ApproxDate``) becomes its
    first day and its precision (a plain date is a day)."""
    fields = data.as_dict()
    since = fields["withdrawal_since"]
    if not isinstance(since, wareki.ApproxDate):
        since = wareki.ApproxDate(since, wareki.DAY) if since else None
    fields["withdrawal_since"] = since.day if since else None
    fields["withdrawal_since_precision"] = since.precision if since else wareki.DAY
    return fields


def district_for_postal_code(code: str) -> Any:
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 7:
        return None
    row = PostalCode.objects.select_related("district").filter(code=digits).first()
    return row.district if row else None


def _with_district(data: HouseholdData) -> HouseholdData:
    """Fill the district from the postal code when the user left it empty."""
    if not data.district and data.postal_code:
        data = replace(data, district=district_for_postal_code(data.postal_code))
    return data


# What makes a record findable again (decision 0010). Anonymous is normal; a record nobody can
# recognise in a list is not.
HOUSEHOLD_FINDABLE_BY = ("label", "address", "postal_code", "district")
PERSON_FINDABLE_BY = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "label",
    "birth_date",
    "approx_decade",
)


def _require_findable_household(data: HouseholdData, *, has_members: bool) -> None:
    if has_members or any(getattr(data, name) for name in HOUSEHOLD_FINDABLE_BY):
        return
    raise ValidationError(
        _(
            "世帯の呼び名・住所・郵便番号・地区のどれかを入力してください"
            "（あとでこの世帯を探せるようにするためです。氏名が分からなければ「池尻の山田さん宅」のような呼び名で構いません）。"
        ),
        code="empty_household",
    )


def _require_findable_person(data: PersonData) -> None:
    if any(getattr(data, name) for name in PERSON_FINDABLE_BY):
        return
    if data.relation and data.relation != Relation.UNKNOWN:
        return
    raise ValidationError(
        _(
            "氏名・フリガナ・呼び名・生年月日・おおよその年代・続柄のどれか一つは入力してください"
            "（氏名が分からなければ「相談者の長男」のような呼び名で構いません）。"
        ),
        code="empty_person",
    )


def household_create(*, user: User | None, data: HouseholdData, member_follows: bool = False) -> Household:
    """A new household. ``member_follows``: the caller adds a member in the same transaction (the
    desk's triage), which is then what makes the household findable."""
    data = _with_district(data)
    _require_findable_household(data, has_members=member_follows)
    with transaction.atomic():
        household = Household(**data.as_dict(), created_by=user, updated_by=user)
        household.full_clean()
        household.save()
        access_record(user=user, action=Action.CREATE, object_type="household", object_ids=[household.pk])
    return household


def household_update(*, user: User, household: Household, expected_version: int, data: HouseholdData) -> Household:
    data = _with_district(data)
    _require_findable_household(data, has_members=household.members.exists())
    with transaction.atomic():
        household = save_versioned(
            obj=household,
            expected_version=expected_version,
            user=user,
            fields=data.as_dict(),
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="household",
            object_ids=[household.pk],
            person_ids=household.members.values_list("pk", flat=True),
        )
    return household


def name_keys(person: Person) -> set[str]:
    """The normalised name parts a person is found by (see PersonNameKey)."""
    parts = [person.family_name, person.given_name, person.family_name_kana, person.given_name_kana]
    keys = {kana.search_key(part) for part in parts}
    keys.add(kana.search_key(person.family_name + person.given_name))
    keys.add(kana.search_key(person.family_name_kana + person.given_name_kana))
    keys.discard("")
    return keys


def _refresh_keys(person: Person) -> None:
    person.key_name = kana.search_key(person.family_name + person.given_name)
    person.key_kana = kana.search_key(person.family_name_kana + person.given_name_kana)
    Person.objects.filter(pk=person.pk).update(key_name=person.key_name, key_kana=person.key_kana)
    wanted = name_keys(person)
    existing = set(person.name_keys.values_list("key", flat=True))
    person.name_keys.filter(key__in=existing - wanted).delete()
    PersonNameKey.objects.bulk_create([PersonNameKey(person=person, key=k) for k in wanted - existing])


def person_create(*, user: User | None, household: Household, data: PersonData) -> Person:
    _require_findable_person(data)
    with transaction.atomic():
        person = Person(household=household, **_person_fields(data), created_by=user, updated_by=user)
        person.full_clean()
        person.save()
        _refresh_keys(person)
        persons_changed.send(sender=Person, household_ids=[person.household_id])
        access_record(
            user=user, action=Action.CREATE, object_type="person", object_ids=[person.pk], person_ids=[person.pk]
        )
    return person


def person_update(*, user: User, person: Person, expected_version: int, data: PersonData) -> Person:
    _require_findable_person(data)
    with transaction.atomic():
        person = save_versioned(obj=person, expected_version=expected_version, user=user, fields=_person_fields(data))
        _refresh_keys(person)
        persons_changed.send(sender=Person, household_ids=[person.household_id])
        access_record(
            user=user, action=Action.UPDATE, object_type="person", object_ids=[person.pk], person_ids=[person.pk]
        )
    return person


DUPLICATE_MESSAGE = gettext_lazy(
    "似た人がすでに登録されています。同じ人なら一覧から選び、別の人なら確認欄にチェックしてください。"
)


class PossibleDuplicate(ValidationError):
    """A new person looks like one already registered, and the user has not confirmed that they
    are somebody else. ``similar``: the persons they may be (those the user may see)."""

    def __init__(self, similar: list[Person]):
        super().__init__({"not_duplicate": [DUPLICATE_MESSAGE]})
        self.similar = similar


def person_check_duplicate(
    *,
    user: User,
    family_name: str = "",
    given_name: str = "",
    family_name_kana: str = "",
    given_name_kana: str = "",
    birth_date: dt.date | None = None,
    confirmed_different: bool = False,
) -> list[Person]:
    """The one rule against registering a person twice, for every way a person is added (the
    desk's triage, the person form; later the bulk import and the API).

    Returns the similar persons (see ``person_find_similar``; the check is an audited search);
    raises :class:`PossibleDuplicate` (an error on the ``not_duplicate`` confirmation box) when
    there are any and the user has not confirmed ``confirmed_different``.
    """
    similar = person_find_similar(
        user=user,
        family_name=family_name,
        given_name=given_name,
        family_name_kana=family_name_kana,
        given_name_kana=given_name_kana,
        birth_date=birth_date,
    )
    if similar and not confirmed_different:
        raise PossibleDuplicate(similar)
    return similar
