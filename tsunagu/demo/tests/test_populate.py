"""The population generator (issue 10, item 1): valid data, reproducible from its seed, the
benchmark's personas in place, and refusals where it must not run.

"Valid" means every derived field equals what the project's own functions and services would
have written; each test recomputes it with those functions and compares.
"""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from tsunagu.agencies.models import Agency, Membership, Role, TeamRole
from tsunagu.assessments import definition as spec
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.access import cases_visible_to
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, SharingBasis, TimelineEntry, TimelineKind
from tsunagu.core.tests.personas import sign_in
from tsunagu.demo.population.generate import LEAD_KINDS, Population, content_digest
from tsunagu.demo.population.personas import PERSONAS, bench_password
from tsunagu.intake.models import Consultation
from tsunagu.lib import kana
from tsunagu.lib.ages import estimate_age
from tsunagu.meetings.models import Meeting, MeetingCase
from tsunagu.people.access import persons_visible_to
from tsunagu.people.models import Household, Person, PersonNameKey
from tsunagu.people.services import name_keys
from tsunagu.places.access import runs
from tsunagu.places.models import (
    PROGRAMME_KINDS,
    AnonymousCount,
    Enrolment,
    Event,
    FamilyNeedCount,
    NamedAttendance,
    Place,
    PlaceKind,
    PlaceSession,
)
from tsunagu.places.services import family_need_options, open_case_of
from tsunagu.plans.models import PlanStatus, SupportPlan
from tsunagu.records.models import Method, ProgressRecord
from tsunagu.records.services import _summary as record_summary
from tsunagu.records.tests.test_work_state import kept, recomputed
from tsunagu.referrals.models import Referral, ReferralStatus
from tsunagu.referrals.services import referral_due_on
from tsunagu.training.access import supervisees_for
from tsunagu.training.models import CourseKind, SupervisionFollowUp, SupervisionSession

AS_OF = dt.date(2026, 6, 15)
FROZEN = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


def _populate(persons: int = 200, seed: int = 1) -> None:
    call_command("populate", persons=persons, seed=seed, as_of=AS_OF.isoformat(), stdout=_Null(), stderr=_Null())


class _Null:
    def write(self, *_args):
        pass

    def flush(self):
        pass


@pytest.fixture
def population(reference):
    with time_machine.travel(FROZEN, tick=False):
        _populate()
        yield


@pytest.mark.django_db
def test_the_tiny_scale_fills_every_table_in_proportion(population):
    persons = Person.objects.count()
    assert persons == 200
    assert 80 <= Household.objects.count() <= 120
    cases = Case.objects.count()
    assert 30 <= cases <= 70
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert ProgressRecord.objects.count() > 500  # the long history alone is 520
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert Meeting.objects.exists() and MeetingCase.objects.exists()
    assert AccessEvent.objects.count() > ProgressRecord.objects.count()
    from tsunagu.reports.models import PrevalenceEstimate

    assert PrevalenceEstimate.objects.count() == 2  # the survey's 「把握率」 has its estimates


@pytest.mark.django_db
def test_name_keys_and_ages_are_what_the_person_services_derive(population):
    keys: dict[int, set[str]] = {}
    for person_id, key in PersonNameKey.objects.values_list("person_id", "key"):
        keys.setdefault(person_id, set()).add(key)
    for person in Person.objects.all():
        assert person.key_name == kana.search_key(person.family_name + person.given_name)
        assert person.key_kana == kana.search_key(person.family_name_kana + person.given_name_kana)
        assert keys.get(person.pk, set()) == name_keys(person)
        age, estimated = estimate_age(birth_date=person.birth_date, decade=person.approx_decade, today=AS_OF)
        assert age is not None and 10 <= age <= 95
        assert (person.birth_date is None) == estimated == (person.approx_decade is not None)
        assert person.display_name  # a name, or a label for the anonymous


@pytest.mark.django_db
def test_every_case_has_exactly_one_open_lead_and_a_lead_worker_of_its_team(population):
    leads = Counter(CaseAgency.objects.filter(role=TeamRole.LEAD, until__isnull=True).values_list("case_id", flat=True))
    assert set(leads) == set(Case.objects.values_list("pk", flat=True))
    assert set(leads.values()) == {1}
    for case in Case.objects.exclude(lead_worker=None).select_related("lead_worker"):
        lead = case.team.get(role=TeamRole.LEAD, until__isnull=True)
        assert Membership.objects.filter(user=case.lead_worker, agency=lead.agency_id, role=Role.CASEWORKER).exists()


@pytest.mark.django_db
def test_every_record_has_its_timeline_entry_and_access_event_as_the_service_writes_them(population):
    entries = {e.object_id: e for e in TimelineEntry.objects.filter(kind=TimelineKind.RECORD)}
    created = {
        tuple(ids)
        for ids in AccessEvent.objects.filter(object_type="record", action="create").values_list(
            "object_ids", flat=True
        )
    }
    records = list(ProgressRecord.objects.prefetch_related("persons"))
    assert len(entries) == len(records)
    household_of = dict(Case.objects.values_list("pk", "household_id"))
    for record in records:
        entry = entries[record.pk]
        assert entry.case_id == record.case_id
        assert entry.summary == record_summary(record)
        assert entry.at == timezone.make_aware(dt.datetime.combine(record.occurred_on, dt.time(0, 0)))
        assert entry.user_id == record.created_by_id
        assert (record.pk,) in created
        assert {p.household_id for p in record.persons.all()} == {household_of[record.case_id]}
        assert record.occurred_on <= AS_OF


@pytest.mark.django_db
def test_every_case_keeps_the_work_state_the_record_services_would_have_kept(population):
    case_ids = list(Case.objects.values_list("pk", flat=True))
    assert case_ids
    for case_id in case_ids:
        assert kept(case_id) == recomputed(case_id), case_id


@pytest.mark.django_db
def test_every_case_keeps_the_review_day_of_its_approved_plans_on_itself_and_its_team(population):
    """What plans.work_state.plan_review_refresh keeps (decision 0024), for every case."""
    approved = {}
    for case_id, day in SupportPlan.objects.filter(status=PlanStatus.APPROVED).values_list("case_id", "review_on"):
        approved[case_id] = min(day, approved.get(case_id, day))
    assert approved
    cases = dict(Case.objects.values_list("pk", "plan_review_on"))
    assert cases == {pk: approved.get(pk) for pk in cases}
    closed = set(Case.objects.filter(status=CaseStatus.CLOSED).values_list("pk", flat=True))
    for case_id, day in CaseAgency.objects.filter(until__isnull=True).values_list("case_id", "plan_review_on"):
        assert day == (None if case_id in closed else cases[case_id]), case_id


def test_referral_deadlines_are_counted_in_business_days_of_the_receiver(population):
    for referral in Referral.objects.select_related("to_agency"):
        sent_on = timezone.localdate(referral.requested_at)
        assert referral.due_on == referral_due_on(to_agency=referral.to_agency, sent_on=sent_on)
        assert referral.to_agency_id != referral.from_agency_id
        if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET):
            assert referral.member is not None and referral.member.agency_id == referral.to_agency_id
        assert referral.events.first().kind == "sent"


@pytest.mark.django_db
def test_every_share_on_consent_has_a_consent_of_the_household_naming_the_agency(population):
    shares = [
        (m.case.household_id, m.agency_id, m.since, m.consent)
        for m in CaseAgency.objects.filter(sharing_basis=SharingBasis.CONSENT).select_related("case", "consent")
    ] + [
        (r.case.household_id, r.to_agency_id, timezone.localdate(r.requested_at), r.consent)
        for r in Referral.objects.filter(sharing_basis=SharingBasis.CONSENT).select_related("case", "consent")
    ]
    assert shares
    for household_id, agency_id, day, consent in shares:
        assert consent is not None
        assert consent.person.household_id == household_id
        assert consent.active_on(day)
        assert consent.agencies.filter(pk=agency_id).exists()
    assert not CaseAgency.objects.filter(sharing_basis=SharingBasis.OTHER_LAW, basis_note="").exists()


@pytest.mark.django_db
def test_assessment_scores_are_the_instruments_own_scoring(population):
    assessments = list(Assessment.objects.select_related("instrument"))
    assert assessments
    for a in assessments:
        assert a.scores == spec.score(a.instrument.definition, a.answers)
        if a.status == "complete":
            assert not spec.completeness(a.instrument.definition, a.answers).missing


@pytest.mark.django_db
def test_each_case_opened_from_a_triaged_consultation_with_its_timeline(population):
    for case in Case.objects.all():
        consultation = Consultation.objects.get(case=case)
        assert consultation.household_id == case.household_id and consultation.triaged_at is not None
        kinds = set(case.timeline.values_list("kind", flat=True))
        assert {TimelineKind.OPENED, TimelineKind.CONSULTATION} <= kinds
        assert case.timeline.get(kind=TimelineKind.CONSULTATION).summary.startswith(consultation.reference_code)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_content_and_another_seed_does_not(reference):
    digests = []
    with time_machine.travel(FROZEN, tick=False):
        for seed in (5, 5, 6):
            with transaction.atomic():
                _populate(persons=120, seed=seed)
                digests.append(content_digest())
                transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


@pytest.mark.django_db
def test_the_personas_sign_in_and_find_what_the_benchmark_expects(population, client):
    with time_machine.travel(FROZEN, tick=False):
        for persona in PERSONAS:
            assert sign_in(client, persona.username, bench_password()), persona.username
            client.logout()
        worker = Membership.objects.get(user__username="bench-worker")
        busiest = worker.agency
        open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).filter(
            team__agency=busiest, team__role=TeamRole.LEAD, team__until__isnull=True
        )
        by_agency = Counter(
            CaseAgency.objects.filter(role=TeamRole.LEAD, until__isnull=True)
            .exclude(case__status=CaseStatus.CLOSED)
            .values_list("agency_id", flat=True)
        )
        assert by_agency.most_common(1)[0][0] == busiest.pk  # "busiest" is the largest open caseload
        mine = open_cases.filter(lead_worker=worker.user)
        assert mine.count() >= 3
        long_case = max(mine, key=lambda c: c.records.count())
        assert long_case.records.count() >= 500 and long_case.timeline.count() >= 500
        assert Referral.objects.filter(case=long_case).exists()
        assert MeetingCase.objects.filter(case=long_case, meeting__attendees=worker.user).exists()
        assert Membership.objects.get(user__username="bench-sv").agency == busiest
        inbox_states = set(Referral.objects.filter(to_agency=busiest).values_list("status", flat=True))
        assert len(inbox_states) >= 4
        assert Agency.objects.get(memberships__user__username="bench-desk").is_central_desk

        sign_in(client, "bench-worker", bench_password())
        assert client.get(reverse("cases:detail", args=[long_case.pk])).status_code == 200
        assert client.get(reverse("work:my_work")).status_code == 200
        client.logout()
        sign_in(client, "bench-sv", bench_password())
        inbox = client.get(reverse("referrals:inbox"))
        assert inbox.status_code == 200
        referral = Referral.objects.filter(to_agency=busiest, status=ReferralStatus.REQUESTED).first()
        assert referral is not None and referral.number in inbox.content.decode()


@pytest.mark.django_db
def test_the_network_around_the_case_is_there_in_proportion(population):
    """Issue 12 at the tiny scale: the ward's pattern (the reference places and one of each kind
    per agency), weekly or monthly sessions over the history with anonymous counts on the past
    ones, family need counts on the family associations' only, events before and after "today",
    most staff with a basic course, and supervision with every supervisor of a case agency."""
    assert Place.objects.filter(code__isnull=False).count() == 7  # the reference entries
    assert set(Place.objects.values_list("kind", flat=True)) == set(PlaceKind.values)
    assert Place.objects.filter(kind=PlaceKind.FAMILY_ASSOCIATION).count() >= 5  # one per area
    for place in Place.objects.annotate(n=Count("sessions")):
        monthly = place.kind in (PlaceKind.FAMILY_ASSOCIATION, PlaceKind.VOLUNTEER)
        assert (35 if monthly else 150) <= place.n <= (45 if monthly else 165), place
    sessions = PlaceSession.objects.count()
    future = PlaceSession.objects.filter(held_on__gt=AS_OF)
    assert future.exists() and not AnonymousCount.objects.filter(session__in=future).exists()
    assert AnonymousCount.objects.values("session").distinct().count() == sessions - future.count()
    needs = FamilyNeedCount.objects.all()
    assert needs.exists() and not needs.exclude(session__place__kind=PlaceKind.FAMILY_ASSOCIATION).exists()
    assert set(needs.values_list("need", flat=True)) <= {value for value, _label in family_need_options()}
    assert Event.objects.filter(starts_at__gt=FROZEN).exists() and Event.objects.filter(starts_at__lt=FROZEN).exists()
    staff = get_user_model().objects.filter(memberships__isnull=False).distinct()
    basic = staff.filter(training_attendances__course__kind=CourseKind.BASIC, training_attendances__completed=True)
    assert basic.distinct().count() >= 0.75 * staff.count()
    for persona in PERSONAS:
        assert basic.filter(username=persona.username).exists(), persona.username
    supervisors = Membership.objects.filter(role=Role.SUPERVISOR, agency__kind__in=LEAD_KINDS).values("user_id")
    assert set(SupervisionSession.objects.values_list("supervisor_id", flat=True)) == {
        row["user_id"] for row in supervisors
    }
    cases = Case.objects.count()
    assert 0 < Enrolment.objects.count() <= cases
    assert 0 < NamedAttendance.objects.values("person").distinct().count() <= cases


@pytest.mark.django_db
def test_each_named_attendance_is_a_record_on_the_open_case_as_the_place_service_writes_it(population):
    rows = list(NamedAttendance.objects.select_related("session__place", "person", "record", "created_by"))
    assert len(rows) >= 40  # the long history's case came to its agency's 居場所 forty times
    events = {
        tuple(ids)
        for ids in AccessEvent.objects.filter(object_type="attendance", action="create", basis="place").values_list(
            "object_ids", flat=True
        )
    }
    for row in rows:
        record = row.record
        assert record is not None
        assert record.case == open_case_of(row.person)  # the open case of the person's household
        assert record.method == Method.PLACE and record.reached
        assert record.occurred_on == row.session.held_on <= AS_OF
        assert list(record.persons.values_list("pk", flat=True)) == [row.person_id]
        assert record.created_by_id == row.created_by_id
        assert runs(row.created_by, row.session.place)  # recorded by the running agency's staff
        assert persons_visible_to(row.created_by).filter(pk=row.person_id).exists()
        assert record.summary.startswith(row.session.place.name)
        assert (row.pk,) in events


@pytest.mark.django_db
def test_each_enrolment_has_its_timeline_entries_and_an_outcome_when_it_ended(population):
    enrolments = list(Enrolment.objects.select_related("case", "person", "place"))
    assert enrolments and any(e.ends_on for e in enrolments)
    for enrolment in enrolments:
        assert enrolment.person.household_id == enrolment.case.household_id
        assert enrolment.place.kind in PROGRAMME_KINDS
        assert bool(enrolment.ends_on) == bool(enrolment.outcome)
        entries = TimelineEntry.objects.filter(case=enrolment.case, kind=TimelineKind.ENROLMENT, object_id=enrolment.pk)
        assert entries.count() == (2 if enrolment.ends_on else 1)
        if enrolment.case.status == CaseStatus.CLOSED:
            assert enrolment.ends_on is not None and enrolment.ends_on <= timezone.localdate(enrolment.case.closed_at)


@pytest.mark.django_db
def test_supervision_is_with_supervisees_about_cases_the_supervisor_sees(population, client):
    sessions = list(SupervisionSession.objects.select_related("supervisor").prefetch_related("supervisees", "cases"))
    assert sessions and any(s.cases.all() for s in sessions)
    for session in sessions:
        allowed = set(supervisees_for(session.supervisor).values_list("pk", flat=True))
        supervisees = {u.pk for u in session.supervisees.all()}
        assert supervisees and supervisees <= allowed
        seen = set(cases_visible_to(session.supervisor).values_list("pk", flat=True))
        assert {c.pk for c in session.cases.all()} <= seen
        for follow_up in session.follow_ups.all():
            assert follow_up.assignee_id in supervisees
            assert (follow_up.done_at is None) or follow_up.done_at > follow_up.created_at
    worker = get_user_model().objects.get(username="bench-worker")
    assert SupervisionFollowUp.objects.filter(assignee=worker, done_at__isnull=True).exists()
    with time_machine.travel(FROZEN, tick=False):
        sign_in(client, "bench-worker", bench_password())
        page = client.get(reverse("work:my_work"))
        assert page.status_code == 200
        follow_up = SupervisionFollowUp.objects.filter(assignee=worker, done_at__isnull=True).first()
        assert follow_up.text in page.content.decode()


@pytest.mark.django_db
def test_it_refuses_production_settings(reference, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番"):
        _populate()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_database_with_staff_accounts(reference):
    from tsunagu.core.tests.personas import make_user

    make_user("real-desk", "link", "desk")
    with pytest.raises(CommandError, match="職員のアカウント"):
        _populate()
    assert not Person.objects.exists()
    assert not get_user_model().objects.filter(username__startswith="bench-").exists()


@pytest.mark.django_db
def test_it_refuses_a_database_that_already_holds_persons(population):
    before = Person.objects.count()
    with pytest.raises(CommandError, match="すでに人のデータ"):
        _populate()
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_the_command_prints_progress_and_a_summary_per_table(reference, capsys):
    with time_machine.travel(FROZEN, tick=False):
        call_command("populate", scale="tiny", seed=2, as_of=AS_OF.isoformat())
    captured = capsys.readouterr()
    assert "rows/s" in captured.err and "ETA" in captured.err
    assert "audit_accessevent" in captured.out and "people_person " in captured.out
    assert "total" in captured.out


def test_the_population_class_is_importable_without_a_database():
    assert Population.__name__ == "Population"


def _schema() -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT c.relispartition
            UNION ALL
            SELECT c.relname, con.conname || ' ' || pg_get_constraintdef(con.oid) FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT c.relispartition
            """
        )
        return set(cursor.fetchall())


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_indexes_and_constraints_dropped_for_the_load_are_all_back(reference):
    before = _schema()
    with time_machine.travel(FROZEN, tick=False):
        _populate(persons=100)
    assert _schema() == before
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")
        assert cursor.fetchall() == []  # a partitioned index rebuilt "ON ONLY" the parent would be invalid
        # The events landed in their month partitions, each with the trail's indexes.
        cursor.execute("SELECT count(*) FROM audit_accessevent_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'audit_accessevent'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid"
            " AND pg_get_indexdef(x.indexrelid) LIKE '%%case_id, action%%')"
        )
        assert cursor.fetchone()[0] == 0
    assert AccessEvent.objects.count() > 100
    leads = Counter(CaseAgency.objects.filter(role=TeamRole.LEAD, until__isnull=True).values_list("case_id", flat=True))
    assert set(leads.values()) == {1}
