"""The demo command invents a ward with every state the desk meets, and one login per role.

The demo is created once per machine, on any day: every test here freezes "today", and the
work-page test runs on days chosen for their weekday, holidays and the year-end closure (so the
module needs no `dates` run under faketime in CI: it travels to those days itself).
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tsunagu.agencies.models import Role
from tsunagu.cases.models import Case
from tsunagu.core.tests.personas import client_for, sign_in
from tsunagu.intake.models import Consultation
from tsunagu.people.models import Household, Person

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# A Sunday before a Monday holiday (勤労感謝の日), a Sunday after it, the day before Golden Week,
# the year-end closure, a leap day; and 23:30 in Tokyo, when the UTC date is still the day before.
DAYS = [
    dt.datetime(2026, 11, 22, 10, 0, tzinfo=TOKYO),
    dt.datetime(2026, 11, 29, 10, 0, tzinfo=TOKYO),
    dt.datetime(2027, 4, 30, 10, 0, tzinfo=TOKYO),
    dt.datetime(2026, 12, 30, 10, 0, tzinfo=TOKYO),
    dt.datetime(2028, 2, 29, 10, 0, tzinfo=TOKYO),
    dt.datetime(2026, 11, 29, 23, 30, tzinfo=TOKYO),
]
ON_A_TUESDAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def _frozen_today():
    """Every test reads "today" through the demo: a fixed day unless the test travels itself."""
    with time_machine.travel(ON_A_TUESDAY):
        yield


@pytest.mark.django_db
def test_the_demo_is_refused_in_production(reference, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番モード"):
        call_command("seed_demo", households=2)
    assert not get_user_model().objects.filter(username__in=["admin", "desk"]).exists()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_demo_data_covers_every_state_and_every_role(reference, capsys):
    call_command("seed_demo", households=12)
    out = capsys.readouterr().out
    users = get_user_model().objects.all()
    roles = {m.role for u in users for m in u.memberships.all()}
    assert roles == set(Role.values)
    for username in ("desk", "caseworker", "supervisor", "secretariat", "partner", "admin"):
        assert username in out
    assert "tsunagu-demo-2026" in out
    assert Consultation.objects.filter(triaged_at__isnull=True).exists()
    assert Consultation.objects.filter(triaged_at__isnull=True, urgent=True).exists()
    assert {c.screening for c in Consultation.objects.filter(triaged_at__isnull=False)} == {
        "continue",
        "info_only",
        "refer",
    }
    assert Case.objects.exists()
    assert Person.objects.filter(family_name="").exclude(label="").exists()  # some unnamed
    assert Person.objects.exclude(family_name_kana="").exists()
    assert all("架空" in h.address for h in Household.objects.all())


@pytest.mark.django_db
def test_running_the_demo_twice_adds_nothing(reference):
    call_command("seed_demo", households=4)
    counts = (Household.objects.count(), Consultation.objects.count(), get_user_model().objects.count())
    call_command("seed_demo", households=4)
    with time_machine.travel(ON_A_TUESDAY + dt.timedelta(days=40)):  # and on another day
        call_command("seed_demo", households=4)
    assert (Household.objects.count(), Consultation.objects.count(), get_user_model().objects.count()) == counts


@pytest.mark.django_db
def test_demo_logins_work(reference, client):
    call_command("seed_demo", households=2)
    assert sign_in(client, "desk", "tsunagu-demo-2026")


@pytest.mark.django_db
def test_demo_cases_have_records_unanswered_outreach_and_every_status(reference):
    from tsunagu.records.models import ProgressRecord

    call_command("seed_demo", households=30)
    assert ProgressRecord.objects.filter(reached=False).exists()
    assert ProgressRecord.objects.filter(reached=True).exists()
    assert set(Case.objects.values_list("status", flat=True)) == {"received", "active", "watching", "closed"}
    assert Case.objects.filter(status="closed").exclude(closure_reason="").exists()


@pytest.mark.django_db
def test_the_demo_shows_a_stalled_case_and_a_person_about_to_turn_40(reference):
    from tsunagu.work.worklist import worklist_for

    call_command("seed_demo", households=12)
    supervisor = get_user_model().objects.get(username="supervisor")
    work = worklist_for(user=supervisor, scope="agency", today=timezone.localdate())
    assert work.stalled and work.unanswered and work.age_limit and work.due_actions
    caseworker = get_user_model().objects.get(username="caseworker")
    assert not worklist_for(user=caseworker, scope="mine", today=timezone.localdate()).empty


@pytest.mark.django_db
def test_the_demo_has_people_assessed_twice_and_family_needs(reference):
    from django.db.models import Count

    from tsunagu.assessments.models import Assessment

    call_command("seed_demo", households=20)
    twice = Assessment.objects.filter(target="person").values("person").annotate(n=Count("pk")).filter(n__gte=2)
    assert twice.exists()
    assert Assessment.objects.filter(target="family").exists()


@pytest.mark.django_db
def test_the_demo_has_a_plan_awaiting_approval_and_an_approved_one(reference):
    from tsunagu.plans.models import SupportPlan

    call_command("seed_demo", households=30)
    statuses = set(SupportPlan.objects.values_list("status", flat=True))
    assert {"submitted", "approved"} <= statuses


@pytest.mark.django_db
def test_the_demo_has_an_emergency_access_waiting_for_the_supervisor(reference):
    from tsunagu.cases.services import emergency_reviewable_by

    call_command("seed_demo", households=12)
    supervisor = get_user_model().objects.get(username="supervisor")
    assert emergency_reviewable_by(supervisor).exists()


@pytest.mark.django_db
def test_the_demo_has_referrals_in_every_state_and_meetings_on_the_work_pages(reference):
    from tsunagu.meetings.models import Meeting
    from tsunagu.referrals.models import Referral, ReferralStatus

    call_command("seed_demo", households=40)
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert Referral.objects.filter(status="requested", escalated_at__isnull=False).exists()
    assert Meeting.objects.filter(kind="support_art9").exclude(minutes="").exists()
    assert Meeting.objects.filter(kind="liaison_council", discussed__isnull=True).exists()

    def page(username, url="/staff/cases/my-work/"):
        client = client_for(get_user_model().objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200
        return response.context

    caseworker = page("caseworker")
    assert [r.status for r in caseworker["referrals"].answers] == ["declined"]
    assert len(caseworker["referrals"].questions) == 1 and len(caseworker["actions"]) == 1
    assert len(page("desk")["referrals"].overdue) == 2
    assert len(page("supervisor")["referrals"].overdue) == 1
    anshin = page("anshin")["referrals"]
    assert len(anshin.incoming) == 1 and len(anshin.to_meet) == 1
    assert len(page("partner", "/staff/referrals/")["received"]) == 1
    assert [m.kind for m in page("secretariat", "/staff/meetings/")["meetings"]] == ["liaison_council"]


@pytest.mark.parametrize("moment", DAYS, ids=lambda moment: moment.strftime("%Y-%m-%d_%H%M"))
@pytest.mark.django_db
def test_the_work_pages_show_every_item_whatever_day_the_demo_is_created(reference, moment):
    from tsunagu.cases.services import emergency_reviewable_by
    from tsunagu.referrals.models import Referral, ReferralStatus
    from tsunagu.work.worklist import worklist_for

    with time_machine.travel(moment):
        call_command("seed_demo", households=40)
        today = timezone.localdate()
        assert today == moment.date()
        overdue = Referral.objects.filter(status=ReferralStatus.REQUESTED, escalated_at__isnull=False)
        assert overdue.count() == 2 and all(r.due_on < today for r in overdue)
        assert not Referral.objects.filter(status=ReferralStatus.REQUESTED, escalated_at__isnull=True, due_on__lt=today)
        assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)

        def work(username, url="/staff/cases/my-work/"):
            client = client_for(get_user_model().objects.get(username=username))
            response = client.get(url)
            assert response.status_code == 200
            return response.context

        assert len(work("desk")["referrals"].overdue) == 2
        assert len(work("supervisor")["referrals"].overdue) == 1
        anshin = work("anshin")["referrals"]
        assert len(anshin.incoming) == 1 and len(anshin.to_meet) == 1
        caseworker = work("caseworker")
        assert len(caseworker["actions"]) == 1 and caseworker["referrals"].questions

        supervisor = get_user_model().objects.get(username="supervisor")
        items = worklist_for(user=supervisor, scope="agency", today=today)
        assert items.stalled and items.unanswered and items.due_actions and items.plans_to_approve
        assert [age for _person, _case, age in items.age_limit if age > today]  # about to turn 40
        assert emergency_reviewable_by(supervisor).exists()
        assert items.plans_due and all(plan.review_on >= today for plan in items.plans_due)


@pytest.mark.django_db
def test_the_demo_has_a_desk_supervisor_who_reads_the_role_changes_and_the_security_log(reference, client):
    """Review of role changes, refused reads and emergency access without a supervisor of one's
    own falls to the central desk's supervisors: the demo has one, so each page can be tried."""
    with time_machine.travel(ON_A_TUESDAY):
        call_command("seed_demo", households=2)
        assert sign_in(client, "desk-supervisor", "tsunagu-demo-2026")
        for url in ("/staff/audit/roles/", "/staff/audit/security/", "/staff/cases/my-work/"):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("moment", DAYS[3:], ids=lambda moment: moment.strftime("%Y-%m-%d_%H%M"))
@pytest.mark.django_db
def test_the_demo_has_the_network_around_the_cases(reference, moment):
    """Issue 12: places with sessions, anonymous and named attendance, a 家族会 with its needs, an
    enrolment ended with an outcome, public events ahead, training and supervision; made on the
    eve of the year-end closure, on 2028-02-29 and just before midnight."""
    with time_machine.travel(moment, tick=False):
        _network_checks()


def _network_checks():
    from tsunagu.cases.models import TimelineEntry
    from tsunagu.places.models import AnonymousCount, Enrolment, Event, FamilyNeedCount, NamedAttendance, Place
    from tsunagu.training.models import SupervisionFollowUp, TrainingAttendance

    call_command("seed_demo", households=40)  # the demo's size before issue 13 raised the default
    today = timezone.localdate()
    assert Place.objects.filter(kind="family_association", sessions__kind="study").exists()
    assert AnonymousCount.objects.filter(session__place__kind="ibasho").exists()
    assert FamilyNeedCount.objects.exists()
    named = NamedAttendance.objects.filter(session__place__kind="ibasho").get()
    assert TimelineEntry.objects.filter(case=named.record.case, kind="record", object_id=named.record_id).exists()
    assert named.record.case.last_contact_on == named.session.held_on
    assert NamedAttendance.objects.filter(role="family").exists()
    assert Enrolment.objects.filter(outcome="work").exists() and Enrolment.objects.filter(ends_on__isnull=True)
    assert Event.objects.filter(is_public=True, starts_at__date__gt=today).count() == 3
    assert TrainingAttendance.objects.filter(course__kind="basic", completed=True).count() >= 4
    follow_up = SupervisionFollowUp.objects.get()
    assert follow_up.assignee.username == "caseworker" and follow_up.done_at is None
    page = client_for(follow_up.assignee).get("/staff/cases/my-work/").content.decode()
    assert follow_up.text in page


@pytest.mark.parametrize("moment", [DAYS[2], DAYS[3]], ids=lambda moment: moment.strftime("%Y-%m-%d_%H%M"))
@pytest.mark.django_db
def test_the_demo_statistics_show_real_tables_some_cells_withheld_and_a_council_snapshot(reference, moment):
    """Made on the eve of Golden Week, a month into a fiscal year, and on the eve of the
    year-end closure."""
    with time_machine.travel(moment, tick=False):
        _statistics_checks()


def _statistics_checks():
    from django.conf import settings

    from tsunagu.reports import compose
    from tsunagu.reports.models import PrevalenceEstimate, ReportSnapshot
    from tsunagu.reports.period import Period, Scope
    from tsunagu.reports.tables import publish

    call_command("seed_demo", households=60)
    period = Period.fiscal_year_of(timezone.localdate())
    tables = compose.section_tables("survey", period, Scope(), compose.as_of_for(period))
    published = {t.key: publish(t, settings.TSUNAGU_REPORT_THRESHOLD) for t in tables}
    # Non-trivial: a one-way table with at least two published counts of 5 or more …
    assert sum(1 for (v,) in published["survey_sex"].cells if v and v >= 5) >= 2
    # … and small cells withheld somewhere (the 28 districts cannot all be large).
    assert published["survey_district"].withheld_count > 0
    assert PrevalenceEstimate.objects.count() == 2
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.meeting.kind == "liaison_council" and snapshot.section == "survey"
