"""Training courses, attendance, the own record and the coverage (issue 12, part 5)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.core.tests.forms import assert_refused
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.training.models import TrainingAttendance, TrainingCourse
from tsunagu.training.tests.helpers import course_post, make_course

TODAY = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_supervisor_creates_a_course_of_their_agency(users):
    client = client_for(users["supervisor"])
    response = client.post(reverse("training:new"), course_post(title="アウトリーチ 専門研修", kind="advanced"))
    course = TrainingCourse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:detail", kwargs={"pk": course.pk})
    assert (course.title, course.kind, course.hours, course.organiser.code) == (
        "アウトリーチ 専門研修",
        "advanced",
        Decimal("1.5"),
        "merkmal",
    )
    assert course.created_by == users["supervisor"]


def test_a_double_submission_creates_one_course(users):
    client = client_for(users["secretariat"])
    data = course_post()
    assert client.post(reverse("training:new"), data).status_code == 302
    assert client.post(reverse("training:new"), data).status_code == 302
    assert TrainingCourse.objects.count() == 1


def test_a_supervisor_cannot_name_another_agency_as_organiser(users):
    other = Agency.objects.get(code="link")
    assert_refused(
        client_for(users["supervisor"]),
        reverse("training:new"),
        course_post(organiser=str(other.pk)),
        field="organiser",
        message="正しく選択してください",
        unchanged=(TrainingCourse,),
    )


def test_the_secretariat_may_name_any_agency(users):
    other = Agency.objects.get(code="link")
    response = client_for(users["secretariat"]).post(reverse("training:new"), course_post(organiser=str(other.pk)))
    assert response.status_code == 302
    assert TrainingCourse.objects.get().organiser == other


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "0.5時間から100時間"),
        ("1.25", "0.5時間単位"),
        ("1.2", "0.5時間単位"),
        ("abc", "数字で入力"),
        ("101", "0.5時間から100時間"),
        ("NaN", "数字で入力"),
        ("", "必須"),
    ],
)
def test_bad_hours_are_refused_on_the_field(users, hours, message):
    assert_refused(
        client_for(users["secretariat"]),
        reverse("training:new"),
        course_post(hours=hours),
        field="hours",
        message=message,
        unchanged=(TrainingCourse,),
    )


def test_a_course_edit_with_a_stale_version_is_a_conflict(users):
    course = make_course(users["supervisor"])
    client = client_for(users["secretariat"])
    url = reverse("training:edit", kwargs={"pk": course.pk})
    data = course_post(title="改題", version="1")
    del data["submission_key"]
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "もう一度改題"})
    assert stale.status_code == 409
    course.refresh_from_db()
    assert (course.title, course.version) == ("改題", 2)


def test_a_supervisor_records_the_attendance_of_their_staff_only(users):
    course = make_course(users["secretariat"], organiser="link")
    client = client_for(users["supervisor"])
    url = reverse("training:attendance", kwargs={"pk": course.pk})
    assert client.post(url, {"attendee": users["lead_worker"].pk, "completed": "1"}).status_code == 302
    assert client.post(url, {"attendee": users["lead_worker"].pk, "completed": "1"}).status_code == 302
    assert list(TrainingAttendance.objects.values_list("user__username", "completed")) == [("lead_worker", True)]
    refused = client.post(url, {"attendee": users["outsider"].pk, "completed": "1"})
    assert refused.status_code == 400
    assert "attendee" in refused.context["form"].errors
    assert TrainingAttendance.objects.count() == 1


def test_the_secretariat_records_anybody_and_corrects_completion(users):
    course = make_course(users["secretariat"])
    client = client_for(users["secretariat"])
    url = reverse("training:attendance", kwargs={"pk": course.pk})
    assert client.post(url, {"attendee": users["outsider"].pk, "completed": "1"}).status_code == 302
    assert client.post(url, {"attendee": users["outsider"].pk, "completed": "0"}).status_code == 302
    attendance = TrainingAttendance.objects.get()
    assert (attendance.completed, attendance.version) == (False, 2)


def test_a_caseworker_cannot_record_attendance(users):
    course = make_course(users["supervisor"])
    response = client_for(users["lead_worker"]).post(
        reverse("training:attendance", kwargs={"pk": course.pk}), {"attendee": users["lead_worker"].pk}
    )
    assert response.status_code == 404
    assert not TrainingAttendance.objects.exists()


def test_my_record_shows_my_courses_and_hours_only(users):
    basic = make_course(users["secretariat"], title="基礎研修A")
    advanced = make_course(users["secretariat"], kind="advanced", title="専門研修B")
    TrainingAttendance.objects.create(course=basic, user=users["lead_worker"], completed=True)
    TrainingAttendance.objects.create(course=advanced, user=users["lead_worker"], completed=False)
    TrainingAttendance.objects.create(course=advanced, user=users["outsider"], completed=True)
    response = client_for(users["lead_worker"]).get(reverse("training:mine"))
    assert response.status_code == 200
    assert [a.course.title for a in response.context["attendances"]] == ["基礎研修A", "専門研修B"] or [
        a.course.title for a in response.context["attendances"]
    ] == ["専門研修B", "基礎研修A"]
    assert response.context["hours"] == Decimal("1.5")
    assert response.context["has_basic"] is True
    outsider = client_for(users["outsider"]).get(reverse("training:mine"))
    assert outsider.context["has_basic"] is False
    assert "基礎研修をまだ修了していません" in outsider.content.decode()


def test_the_roster_shows_others_only_to_those_who_record_it(users):
    course = make_course(users["secretariat"], organiser="link")
    TrainingAttendance.objects.create(course=course, user=users["lead_worker"], completed=True)
    TrainingAttendance.objects.create(course=course, user=users["outsider"], completed=True)

    def shown(persona):
        response = client_for(users[persona]).get(reverse("training:detail", kwargs={"pk": course.pk}))
        return sorted(a.user.username for a in response.context["attendances"])

    assert shown("secretariat") == ["lead_worker", "outsider"]
    assert shown("supervisor") == ["lead_worker"]  # their agency's staff
    assert shown("outsider") == ["outsider"]  # their own line
    assert shown("desk") == []


def test_coverage_counts_the_basic_course_per_agency(users):
    make_user("merkmal_new", "merkmal", Role.CASEWORKER)
    basic = make_course(users["secretariat"])
    advanced = make_course(users["secretariat"], kind="advanced")
    TrainingAttendance.objects.create(course=basic, user=users["lead_worker"], completed=True)
    TrainingAttendance.objects.create(course=basic, user=users["supervisor"], completed=False)
    TrainingAttendance.objects.create(course=advanced, user=users["outsider"], completed=True)
    response = client_for(users["secretariat"]).get(reverse("training:coverage"))
    rows = {row["agency"].code: row for row in response.context["rows"]}
    merkmal = rows["merkmal"]
    assert (merkmal["done"], merkmal["total"]) == (1, 3)
    assert sorted(u.username for u in merkmal["missing"]) == ["merkmal_new", "supervisor"]
    assert (rows["anshin-kyodo"]["done"], rows["anshin-kyodo"]["total"]) == (0, 1)
    assert "ward-seikatsu-fukushi" not in rows  # no staff who work cases there
    own = client_for(users["supervisor"]).get(reverse("training:coverage"))
    assert [row["agency"].code for row in own.context["rows"]] == ["merkmal"]


def test_the_nav_links_training_for_every_staff_member(users):
    for persona in ("lead_worker", "secretariat", "partner"):
        assert "研修・SV" in client_for(users[persona]).get(reverse("training:list")).content.decode()
