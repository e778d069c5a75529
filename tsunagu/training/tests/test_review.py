"""An outside review of issue 12 (training and supervision): days out of range, replays, and
what another agency may do with a session and its follow-ups."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.core.tests.personas import client_for
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession, TrainingAttendance, TrainingCourse
from tsunagu.training.tests.helpers import course_post, make_course, make_follow_up, make_session

TODAY = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.mark.parametrize("day", ["0001-01-01", "1800-01-01", "2999-12-31"])
def test_a_supervision_day_out_of_range_is_a_field_message(world, users, day):
    response = client_for(users["supervisor"]).post(
        reverse("supervision:new"),
        {
            "held_on": day,
            "supervisees": [str(users["lead_worker"].pk)],
            "cases": "",
            "notes": "",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400 and response.context["form"].errors.get("held_on")
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1800-01-01", "2999-12-31"])
def test_a_course_day_out_of_range_is_a_field_message(users, day):
    response = client_for(users["secretariat"]).post(reverse("training:new"), course_post(held_on=day))
    assert response.status_code == 400 and response.context["form"].errors.get("held_on")
    assert not TrainingCourse.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "2999-12-31"])
def test_a_follow_up_due_day_out_of_range_is_a_field_message(world, users, day):
    session = make_session(users["supervisor"], [users["lead_worker"]])
    response = client_for(users["supervisor"]).post(
        reverse("supervision:follow_up_add", kwargs={"pk": session.pk}),
        {
            "assignee": users["lead_worker"].pk,
            "text": "確認する",
            "due_on": day,
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert not SupervisionFollowUp.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "partner", "secretariat", "admin_user", "desk"])
def test_another_agency_neither_reads_nor_changes_a_session(world, users, persona):
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    follow_up = make_follow_up(session, users["lead_worker"])
    client = client_for(users[persona])
    for url in (
        reverse("supervision:detail", kwargs={"pk": session.pk}),
        reverse("supervision:edit", kwargs={"pk": session.pk}),
    ):
        assert client.get(url).status_code == 404
    for url, data in (
        (reverse("supervision:follow_up_add", kwargs={"pk": session.pk}), {"assignee": users["lead_worker"].pk}),
        (reverse("supervision:follow_up_done", kwargs={"pk": follow_up.pk}), {"version": follow_up.version}),
        (reverse("supervision:edit", kwargs={"pk": session.pk}), {"version": session.version}),
    ):
        response = client.post(url, data)
        assert response.status_code == 404, url
        assert "面接の進め方" not in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None and SupervisionFollowUp.objects.count() == 1


def test_a_supervisor_records_no_attendance_of_another_agencys_staff(users):
    course = make_course(users["secretariat"])
    response = client_for(users["supervisor"]).post(
        reverse("training:attendance", kwargs={"pk": course.pk}),
        {"attendee": users["outsider"].pk, "completed": "on"},
    )
    assert response.status_code == 400
    assert not TrainingAttendance.objects.exists()
