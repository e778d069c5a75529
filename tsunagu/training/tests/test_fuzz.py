"""R4 over the training and supervision forms: any input is saved or answered on the page, never a
server error, and a refusal writes nothing (no half-written session, no event without its write)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession, TrainingAttendance, TrainingCourse
from tsunagu.training.tests.helpers import make_course, make_session

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1.5",
            "0.5",
            "1e3",
            "NaN",
            "Infinity",
            "１．５",
            "99999999999",
            "令和99年13月40日",
            "R8.11.1",
            "K-0",
            "K-000001",
            "1、2、3",
            "<script>",
            "\x00",
            "\u202e",
            "basic",
            "supervision",
        ]
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def fields(*names):
    return st.dictionaries(st.sampled_from(names), TEXT, max_size=6)


def pks(*users):
    return st.lists(st.sampled_from([str(u.pk) for u in users] + ["0", "x", "999999"]), max_size=3)


@given(data=fields("kind", "title", "organiser", "held_on", "hours", "capacity", "description"))
@FUZZ
@pytest.mark.django_db
def test_any_course_input_is_saved_or_answered_never_a_server_error(users, data):
    before = TrainingCourse.objects.count()
    response = client_for(users["supervisor"]).post(
        reverse("training:new"), {**data, "submission_key": str(uuid.uuid4())}
    )
    assert response.status_code in (302, 400)
    assert TrainingCourse.objects.count() == before + (1 if response.status_code == 302 else 0)


@given(data=fields("version", "kind", "title", "organiser", "held_on", "hours", "capacity", "description"))
@FUZZ
@pytest.mark.django_db
def test_any_course_edit_is_saved_refused_or_a_conflict(users, data):
    course = TrainingCourse.objects.first() or make_course(users["supervisor"])
    before = (course.title, course.version)
    response = client_for(users["supervisor"]).post(reverse("training:edit", kwargs={"pk": course.pk}), data)
    assert response.status_code in (302, 400, 409)
    course.refresh_from_db()
    if response.status_code != 302:
        assert (course.title, course.version) == before


@given(data=fields("attendee", "completed"))
@FUZZ
@pytest.mark.django_db
def test_any_attendance_input_is_recorded_or_answered(users, data):
    course = TrainingCourse.objects.first() or make_course(users["supervisor"])
    before = TrainingAttendance.objects.count()
    response = client_for(users["supervisor"]).post(reverse("training:attendance", kwargs={"pk": course.pk}), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert TrainingAttendance.objects.count() == before


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@given(data=fields("held_on", "cases", "notes"), st_data=st.data())
@FUZZ
@pytest.mark.django_db
def test_any_supervision_input_is_saved_or_answered_never_half_written(world, users, frozen, data, st_data):
    supervisees = st_data.draw(pks(users["lead_worker"], users["outsider"], users["supervisor"]))
    cases = st_data.draw(
        st.one_of(TEXT, st.sampled_from([world.case.number, world.other_case.number, f"{world.case.pk} 999999"]))
    )
    before = (SupervisionSession.objects.count(), AccessEvent.objects.filter(object_type="supervision").count())
    response = client_for(users["supervisor"]).post(
        reverse("supervision:new"),
        {**data, "cases": cases, "supervisees": supervisees, "submission_key": str(uuid.uuid4())},
    )
    assert response.status_code in (302, 400)
    sessions, events = SupervisionSession.objects.count(), AccessEvent.objects.filter(object_type="supervision").count()
    if response.status_code == 400:
        assert (sessions, events) == before
    else:
        session = SupervisionSession.objects.order_by("-pk").first()
        assert sessions == before[0] + 1
        assert events > before[1]
        assert session.supervisees.exists()
        assert not session.cases.exclude(pk=world.case.pk).exists()  # never a case the supervisor cannot see


@given(data=fields("assignee", "text", "due_on"))
@FUZZ
@pytest.mark.django_db
def test_any_follow_up_input_is_added_or_answered(world, users, frozen, data):
    session = SupervisionSession.objects.first() or make_session(users["supervisor"], [users["lead_worker"]])
    before = SupervisionFollowUp.objects.count()
    response = client_for(users["supervisor"]).post(
        reverse("supervision:follow_up_add", kwargs={"pk": session.pk}),
        {**data, "submission_key": str(uuid.uuid4())},
    )
    assert response.status_code in (302, 400)
    assert SupervisionFollowUp.objects.count() == before + (1 if response.status_code == 302 else 0)
    assert not SupervisionFollowUp.objects.exclude(assignee=users["lead_worker"]).exists()
