"""The age-out day under concurrent writers (decision 0024): a person's birth date changed while an
administrator changes the lead agency's age limit. Each writer reads what the other changes; the
day must follow both, whichever commits first (PostgreSQL: row locks)."""

import dataclasses
import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import connection, transaction

from tsunagu.agencies.models import Agency
from tsunagu.cases import work_state
from tsunagu.cases.admin import AgencyWithCasesAdmin
from tsunagu.cases.models import Case, CaseAgency, SharingBasis
from tsunagu.cases.services import case_open
from tsunagu.core.tests.personas import make_user
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person
from tsunagu.people.services import PersonData, person_update
from tsunagu.people.tests.factories import household_make, person_make


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_birth_date_and_an_age_limit_changed_at_once_both_reach_the_day(reference, monkeypatch):
    """The person's writer locks the household's cases and reads the limit; the admin writes the
    limit and reads the births. Without the admin taking the cases' locks before it reads, it reads
    the old birth date, waits for the person's writer (which read the old limit) and then writes a
    day from the old birth date and the new limit."""
    desk = make_user("desk_race", "link", "desk")
    household = household_make(label="競合の世帯")
    person = person_make(household, label="本人", birth_date="1990-05-10", is_concerned=True)
    merkmal = Agency.objects.get(code="merkmal")  # age limit 39
    case = case_open(user=desk, household=household, lead=merkmal, sharing_basis=SharingBasis.CONSENT)
    new_birth, new_limit = dt.date(1995, 5, 10), 34

    person_locked, admin_read = threading.Event(), threading.Event()
    refresh = work_state.ages_out_refresh

    def refresh_after_the_admin_read(cases):  # the person's writer, holding the cases' locks
        if threading.current_thread().name == "person":
            person_locked.set()
            admin_read.wait(timeout=2)
        return refresh(cases)

    original = Case.objects.bulk_update

    def bulk_update_after_reading(objs, fields, **kwargs):  # the admin, having read the births
        if threading.current_thread().name == "admin":
            admin_read.set()
        return original(objs, fields, **kwargs)

    monkeypatch.setattr(work_state, "ages_out_refresh", refresh_after_the_admin_read)
    monkeypatch.setattr(Case.objects, "bulk_update", bulk_update_after_reading)
    errors: list[BaseException] = []

    def change_person():
        try:
            fresh = Person.objects.get(pk=person.pk)
            data = dataclasses.replace(PersonData.of(fresh), birth_date=new_birth)
            person_update(user=desk, person=fresh, expected_version=fresh.version, data=data)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def change_limit():
        try:
            person_locked.wait(timeout=5)
            with transaction.atomic():
                agency = Agency.objects.get(pk=merkmal.pk)
                agency.age_max = new_limit
                form = SimpleNamespace(changed_data=["age_max"])
                AgencyWithCasesAdmin(Agency, admin.site).save_model(None, agency, form, True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            admin_read.set()
            connection.close()

    threads = [
        threading.Thread(target=change_person, name="person"),
        threading.Thread(target=change_limit, name="admin"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = add_years(new_birth, new_limit + 1)
    assert Case.objects.get(pk=case.pk).ages_out_on == expected
    team = CaseAgency.objects.filter(case=case, until__isnull=True)
    assert set(team.values_list("ages_out_on", flat=True)) == {expected}
