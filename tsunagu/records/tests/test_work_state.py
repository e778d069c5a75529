"""The work state kept on the case (decision 0017) equals a recomputation from scratch after any
sequence of service calls: records made in any order of dates, reached or not, corrected, withdrawn; the lead
handed over; an agency's stall days or age limit changed; a person's birth date or concern
changed. Both the services' values and the set-based rebuild are checked against a plain Python
oracle."""

import dataclasses
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, ClosureReason, SharingBasis
from tsunagu.cases.services import case_change_status, case_open, lead_handoff, team_add, team_end
from tsunagu.cases.work_state import DEFAULT_STALL_DAYS, ages_out_refresh_led_by, stall_refresh_led_by
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person
from tsunagu.people.services import PersonData, person_update
from tsunagu.records.models import ProgressRecord
from tsunagu.records.services import RecordData, record_correct, record_create
from tsunagu.records.work_state import rebuild_work_state

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 28)
FIELDS = (
    "last_contact_on",
    "next_action_on",
    "next_action",
    "unanswered_streak",
    "quiet_since",
    "stalled_on",
    "ages_out_on",
)
AGENCIES = ("merkmal", "link", "saposute")  # age limits 39, none, 49
TEAM_FIELDS = ("next_action_on", "stalled_on", "unanswered_streak", "quiet_since", "ages_out_on")  # on open team rows
births = st.none() | st.sampled_from(
    [dt.date(1987, 2, 28), dt.date(1988, 2, 29), dt.date(1986, 12, 1), dt.date(1977, 5, 29), dt.date(2000, 1, 1)]
)

days = st.integers(min_value=-90, max_value=10).map(lambda n: TODAY + dt.timedelta(days=n))
record_data = st.fixed_dictionaries(
    {
        "occurred_on": days,
        "reached": st.booleans(),
        "next_action_on": st.none() | days,
        "next_action": st.sampled_from(["", "電話", "再訪問"]),
    }
)
step = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), record_data),
    st.tuples(st.just("correct"), st.integers(0, 30), record_data),
    st.tuples(st.just("withdraw"), st.integers(0, 30)),
    st.tuples(st.just("handoff"), st.integers(0, 1), st.sampled_from(AGENCIES)),
    st.tuples(st.just("stall_days"), st.sampled_from(AGENCIES), st.integers(1, 90)),
    st.tuples(st.just("status"), st.integers(0, 1), st.sampled_from([CaseStatus.CLOSED, CaseStatus.ACTIVE])),
    st.tuples(st.just("partner"), st.integers(0, 1), st.sampled_from(AGENCIES)),
    st.tuples(st.just("person"), st.integers(0, 1), births, st.booleans()),
    st.tuples(st.just("age_max"), st.sampled_from(AGENCIES), st.none() | st.integers(30, 64)),
)


def recomputed(case_id: int) -> dict[str, Any]:
    """The oracle: what the work page means, from the records and the team, in plain Python."""
    # A withdrawn record (a named attendance recorded by mistake) counts for nothing.
    records = list(ProgressRecord.objects.filter(case_id=case_id, withdrawn=False).order_by("-occurred_on", "-pk"))
    contacts = [r.occurred_on for r in records if r.reached]
    last = max(contacts) if contacts else None
    case = Case.objects.get(pk=case_id)
    lead = CaseAgency.objects.filter(case_id=case_id, role=TeamRole.LEAD, until__isnull=True).first()
    quiet = last or timezone.localdate(case.opened_at)
    stall = lead.agency.stall_days if lead else DEFAULT_STALL_DAYS
    state = {
        "last_contact_on": last,
        "next_action_on": records[0].next_action_on if records else None,
        "next_action": records[0].next_action if records else "",
        "unanswered_streak": sum(1 for r in records if not r.reached and (last is None or r.occurred_on > last)),
        "quiet_since": quiet,
        "stalled_on": quiet + dt.timedelta(days=stall),
        "ages_out_on": None,
    }
    limit = lead.agency.age_max if lead else None
    concerned = Person.objects.filter(household_id=case.household_id, is_concerned=True, birth_date__isnull=False)
    if limit is not None and concerned.exists():
        state["ages_out_on"] = min(add_years(p.birth_date, limit + 1) for p in concerned)
    # Every current team row carries the section columns while the case is open, none once
    # closed, and the case's opening time (a sort key) always.
    copied = (None, None, 0, None, None) if case.status == CaseStatus.CLOSED else tuple(state[f] for f in TEAM_FIELDS)
    copied += (case.opened_at,)
    members = CaseAgency.objects.filter(case_id=case_id, until__isnull=True).order_by("pk")
    state["team"] = [(pk, copied) for pk in members.values_list("pk", flat=True)]
    return state


def kept(case_id: int) -> dict[str, Any]:
    state = Case.objects.filter(pk=case_id).values(*FIELDS).get()
    members = CaseAgency.objects.filter(case_id=case_id, until__isnull=True).order_by("pk")
    state["team"] = [(row[0], tuple(row[1:])) for row in members.values_list("pk", *TEAM_FIELDS, "opened_at")]
    return state


def run(world: Any, users: Any, steps: list[Any]) -> None:
    worker = users["lead_worker"]
    cases = [(world.case, world.person), (world.other_case, world.other_person)]
    # Both concerned, with a birth date, so that a new lead or limit moves the day they age out.
    steps = [("person", 0, dt.date(1987, 2, 28), True), ("person", 1, dt.date(1977, 5, 29), True), *steps]
    for kind, *args in steps:
        if kind == "create":
            case, person = cases[args[0]]
            data = RecordData(method="phone", persons=[person], summary="記録", **args[1])
            record_create(user=worker, case=case, data=data, key=None)
        elif kind == "correct":
            records = list(ProgressRecord.objects.order_by("pk"))
            record = records[args[0] % len(records)]
            person = next(p for c, p in cases if c.pk == record.case_id)
            data = RecordData(method="phone", persons=[person], summary="訂正後", **args[1])
            record_correct(user=worker, record=record, expected_version=record.version, data=data, reason="日付の誤り")
        elif kind == "withdraw":
            records = list(ProgressRecord.objects.order_by("pk"))
            record = records[args[0] % len(records)]
            data = RecordData(
                occurred_on=record.occurred_on,
                method=record.method,
                reached=False,
                persons=list(record.persons.all()),
                summary=f"（取り消し）{record.summary}",
                next_action=record.next_action,
                next_action_on=record.next_action_on,
            )
            record_correct(
                user=worker, record=record, expected_version=record.version, data=data, reason="取消", withdraw=True
            )
        elif kind == "handoff":
            case = cases[args[0]][0]
            agency = Agency.objects.get(code=args[1])
            if not case.team.filter(role=TeamRole.LEAD, until__isnull=True, agency=agency).exists():
                lead_handoff(user=worker, case=case, to_agency=agency, basis=SharingBasis.VITAL_INTEREST, note="")
        elif kind == "status":
            case = Case.objects.get(pk=cases[args[0]][0].pk)
            if case.status != args[1]:
                case_change_status(
                    user=worker,
                    case=case,
                    expected_version=case.version,
                    status=args[1],
                    closure_reason=ClosureReason.values[0] if args[1] == CaseStatus.CLOSED else "",
                )
        elif kind == "partner":
            case = cases[args[0]][0]
            agency = Agency.objects.get(code=args[1])
            member = case.team.filter(agency=agency, until__isnull=True).first()
            if member is None:
                team_add(user=worker, case=case, agency=agency, basis=SharingBasis.VITAL_INTEREST)
            elif member.role == TeamRole.PARTNER:
                team_end(user=worker, member=member)
        elif kind == "person":
            person = Person.objects.get(pk=cases[args[0]][1].pk)
            data = dataclasses.replace(PersonData.of(person), birth_date=args[1], is_concerned=args[2])
            person_update(user=worker, person=person, expected_version=person.version, data=data)
        elif kind == "age_max":
            agency = Agency.objects.get(code=args[0])
            Agency.objects.filter(pk=agency.pk).update(age_max=args[1])
            ages_out_refresh_led_by(agency.pk)  # what the agency admin does (cases/admin.py)
        else:
            agency = Agency.objects.get(code=args[0])
            Agency.objects.filter(pk=agency.pk).update(stall_days=args[1])
            stall_refresh_led_by(agency.pk)  # what the agency admin does (cases/admin.py)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=12))
def test_the_kept_work_state_equals_a_recomputation_after_any_sequence_of_service_calls(world, users, steps):
    with transaction.atomic():
        run(world, users, steps)
        case_ids = [world.case.pk, world.other_case.pk]
        for pk in case_ids:
            assert kept(pk) == recomputed(pk), pk
        Case.objects.filter(pk__in=case_ids).update(
            last_contact_on=None,
            next_action_on=None,
            next_action="x",
            unanswered_streak=99,
            stalled_on=None,
            ages_out_on=TODAY,
        )
        CaseAgency.objects.update(
            next_action_on=TODAY,
            stalled_on=None,
            unanswered_streak=99,
            quiet_since=None,
            opened_at=None,
            ages_out_on=None,
        )
        assert rebuild_work_state() == Case.objects.count()
        for pk in case_ids:
            assert kept(pk) == recomputed(pk), pk
        transaction.set_rollback(True)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_rebuild_of_some_cases_leaves_the_others_alone(world, users):
    Case.objects.update(unanswered_streak=99)
    assert rebuild_work_state([world.case.pk]) == 1
    assert kept(world.case.pk) == recomputed(world.case.pk)
    assert kept(world.other_case.pk)["unanswered_streak"] == 99


@pytest.mark.django_db
def test_a_new_case_stalls_after_its_lead_agencys_days_without_contact(world):
    Agency.objects.filter(code="link").update(stall_days=45)
    case = case_open(
        user=world.case.created_by,
        household=world.other_household,
        lead=Agency.objects.get(code="link"),
        sharing_basis=SharingBasis.CONSENT,
    )
    state = kept(case.pk)
    opened = timezone.localdate(case.opened_at)
    assert state["last_contact_on"] is None and state["unanswered_streak"] == 0 and state["next_action_on"] is None
    assert (state["quiet_since"], state["stalled_on"]) == (opened, opened + dt.timedelta(days=45))


@pytest.mark.django_db
def test_a_case_opened_with_a_stale_copy_of_the_lead_agency_gets_its_stored_stall_days(world, users):
    """The stall day comes from the agency's stored days, read under a lock on its row, not from
    the caller's copy (an administrator may have changed the days meanwhile; reviewer's case)."""
    from tsunagu.people.tests.factories import household_make

    lead = Agency.objects.get(code="merkmal")  # a copy read before the change
    Agency.objects.filter(pk=lead.pk).update(stall_days=90)
    stall_refresh_led_by(lead.pk)
    case = case_open(
        user=users["desk"], household=household_make(label="r"), lead=lead, sharing_basis=SharingBasis.CONSENT
    )
    assert recomputed(case.pk) == kept(case.pk)
    assert kept(case.pk)["stalled_on"] == kept(case.pk)["quiet_since"] + dt.timedelta(days=90)
    assert set(CaseAgency.objects.filter(case=case).values_list("stalled_on", flat=True)) == {
        kept(case.pk)["stalled_on"]
    }


@pytest.mark.django_db
def test_a_hand_off_to_the_agency_that_already_leads_is_refused_with_a_message(world, users):
    from django.core.exceptions import ValidationError

    link = Agency.objects.get(code="link")
    lead_handoff(user=users["lead_worker"], case=world.case, to_agency=link, basis=SharingBasis.VITAL_INTEREST, note="")
    # A second hand-off from a page read before the first: the lead is read under the case's lock.
    with pytest.raises(ValidationError):
        lead_handoff(
            user=users["lead_worker"], case=world.case, to_agency=link, basis=SharingBasis.VITAL_INTEREST, note=""
        )
    assert CaseAgency.objects.filter(case=world.case, role=TeamRole.LEAD, until__isnull=True).count() == 1
