"""Factories for households and persons. They go through the services, as the app does, so
derived search keys are right; every name is invented."""

import datetime as dt
from typing import Any

from tsunagu.agencies.models import District
from tsunagu.people.models import Household, Person
from tsunagu.people.services import HouseholdData, PersonData, household_create, person_create


def household_make(
    *, label: str = "テスト世帯", district_code: str | None = None, user: Any = None, **fields: Any
) -> Household:
    district = District.objects.get(code=district_code) if district_code else None
    return household_create(user=user, data=HouseholdData(label=label, district=district, **fields))


def person_make(
    household: Household, *, user: Any = None, birth_date: str | dt.date | None = None, **fields: Any
) -> Person:
    if isinstance(birth_date, str):
        birth_date = dt.date.fromisoformat(birth_date)
    return person_create(user=user, household=household, data=PersonData(birth_date=birth_date, **fields))
