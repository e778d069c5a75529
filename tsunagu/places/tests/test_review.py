"""An outside review of issue 12 (places): what another agency, a replayed form or a withdrawal
can do to named attendance, enrolments and the case's work state."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.places.models import AnonymousCount, NamedAttendance, PlaceKind, PlaceSession
from tsunagu.places.tests.factories import enrolment_of, merkmal_session, place_make, session_make
from tsunagu.records.services import RecordData, record_create
from tsunagu.records.work_state import rebuild_work_state

NOW = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)


def _record(world, user, day, *, reached, next_action="", next_action_on=None):
    return record_create(
        user=user,
        case=world.case,
        key=None,
        data=RecordData(
            occurred_on=day,
            method="phone",
            reached=reached,
            persons=[world.person],
            summary="電話した。",
            next_action=next_action,
            next_action_on=next_action_on,
        ),
    )[0]


def _state(case):
    case.refresh_from_db()
    return (case.last_contact_on, case.unanswered_streak, case.next_action, case.next_action_on, case.stalled_on)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_withdrawing_a_named_attendance_gives_back_the_case_state_it_had(world, lead_worker):
    """A withdrawn attendance is no contact, and no unanswered outreach either: the case's last
    contact, its unanswered streak, its next action and its stall day are what they were."""
    _record(world, lead_worker, dt.date(2026, 11, 10), reached=True)
    _record(
        world,
        lead_worker,
        dt.date(2026, 11, 21),
        reached=False,
        next_action="再訪問",
        next_action_on=dt.date(2026, 12, 1),
    )
    before = _state(world.case)
    assert before[:2] == (dt.date(2026, 11, 10), 2)
    session = merkmal_session()  # 2026-11-25
    client = client_for(lead_worker)
    client.post(reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"})
    attendance = NamedAttendance.objects.get()
    assert client.post(reverse("places:named_remove", kwargs={"pk": attendance.pk})).status_code == 302
    assert _state(world.case) == before
    rebuild_work_state([world.case.pk])  # the set-based rebuild agrees
    assert _state(world.case) == before


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_named_attendance_keeps_the_teams_next_action(world, lead_worker, users):
    """The attendance recorded by the agency running the place (here the desk, off the team) is a
    contact; it does not erase the next action the case's team planned."""
    _record(
        world,
        lead_worker,
        dt.date(2026, 11, 21),
        reached=False,
        next_action="再訪問",
        next_action_on=dt.date(2026, 12, 1),
    )
    session = session_make(place_make("link", name="ぷらっとホームの居場所"))  # 2026-11-25
    response = client_for(users["desk"]).post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    assert response.status_code == 302
    last_contact, streak, next_action, next_action_on, _stalled = _state(world.case)
    assert (last_contact, streak) == (dt.date(2026, 11, 25), 0)
    assert (next_action, next_action_on) == ("再訪問", dt.date(2026, 12, 1))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "partner", "secretariat", "admin_user"])
def test_another_agency_cannot_touch_the_enrolments_of_a_case(world, users, persona):
    enrolment = enrolment_of(world)
    client = client_for(users[persona])
    urls = [
        reverse("places:enrolments", kwargs={"case_pk": world.case.pk}),
        reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk}),
        reverse("places:enrolment_end", kwargs={"pk": enrolment.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        response = client.post(
            url,
            {
                "submission_key": str(uuid.uuid4()),
                "person": world.person.pk,
                "place": enrolment.place_id,
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-20",
                "outcome": "dropped",
                "version": enrolment.version,
            },
        )
        assert response.status_code == 404
        assert "山田" not in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.ends_on is None and world.case.enrolments.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona", ["outsider", "partner", "secretariat", "admin_user"])
def test_another_agency_neither_reads_nor_writes_a_sessions_named_attendance(world, users, persona):
    session = merkmal_session()
    client_for(users["lead_worker"]).post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    attendance = NamedAttendance.objects.get()
    client = client_for(users[persona])
    page = client.get(reverse("places:session", kwargs={"pk": session.pk}) + "?q=山田")
    assert page.status_code in (200, 403)
    assert "山田" not in page.content.decode() and "ヤマダ" not in page.content.decode()
    for name, kwargs, data in (
        ("places:named_add", {"pk": session.pk}, {"person": world.other_person.pk, "role": "person"}),
        ("places:named_remove", {"pk": attendance.pk}, {}),
        ("places:session_counts", {"pk": session.pk}, {count_field("person", "20s", "male"): "3"}),
        ("places:session_edit", {"pk": session.pk}, {"version": session.version, "held_on": "2026-11-24"}),
    ):
        response = client.post(reverse(name, kwargs=kwargs), data)
        assert response.status_code == 404, name
        assert "山田" not in response.content.decode()
    assert NamedAttendance.objects.count() == 1 and not AnonymousCount.objects.exists()
    session.refresh_from_db()
    assert session.held_on == dt.date(2026, 11, 25)


def count_field(role, band, sex):
    from tsunagu.places.forms import count_field_name

    return count_field_name(role, band, sex)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_hidden_and_a_missing_person_get_the_same_answer(world, users):
    session = session_make(place_make("anshin-kyodo", name="経堂のサロン"))
    url = reverse("places:named_add", kwargs={"pk": session.pk})
    client = client_for(users["outsider"])

    def answer(pk):
        response = client.post(url, {"person": pk, "role": "person"})
        body = response.content.decode()
        return response.status_code, body.count("選べる人の中から"), "山田" in body

    assert answer(world.person.pk) == answer(999_999) == (400, 1, False)
    assert not NamedAttendance.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("held_on", ["1800-01-01", "0001-01-01", "2999-12-31", "2026-02-29", "令和9年2月29日"])
def test_a_session_day_out_of_range_is_a_field_message(world, lead_worker, held_on):
    place = place_make("merkmal", name="日付の居場所")
    response = client_for(lead_worker).post(
        reverse("places:session_new", kwargs={"pk": place.pk}),
        {"submission_key": str(uuid.uuid4()), "kind": "regular", "held_on": held_on},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("held_on")
    assert not PlaceSession.objects.filter(place=place).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_session_sent_twice_is_one_session(world, lead_worker):
    place = place_make("merkmal", name="二度押しの居場所")
    data = {"submission_key": str(uuid.uuid4()), "kind": "regular", "held_on": "2026-11-26"}
    client = client_for(lead_worker)
    url = reverse("places:session_new", kwargs={"pk": place.pk})
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert PlaceSession.objects.filter(place=place).count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_named_attendance_sent_twice_is_one_attendance_and_one_record(world, lead_worker):
    session = merkmal_session()
    client = client_for(lead_worker)
    url = reverse("places:named_add", kwargs={"pk": session.pk})
    for _ in range(2):
        assert client.post(url, {"person": world.person.pk, "role": "person"}).status_code == 302
    assert NamedAttendance.objects.count() == 1
    assert world.case.records.filter(method="place").count() == 1
    events = AccessEvent.objects.filter(object_type="attendance", action="create")
    assert [e.person_ids for e in events] == [[world.person.pk]]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_withdrawal_is_recorded_with_the_person(world, lead_worker):
    session = merkmal_session()
    client = client_for(lead_worker)
    client.post(reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"})
    attendance = NamedAttendance.objects.get()
    client.post(reverse("places:named_remove", kwargs={"pk": attendance.pk}))
    event = AccessEvent.objects.get(object_type="attendance", action="update")
    assert event.person_ids == [world.person.pk] and event.case_id == world.case.pk


@pytest.mark.django_db
def test_counts_out_of_bounds_are_field_messages_and_create_no_person(world, lead_worker):
    from tsunagu.people.models import Person

    persons = Person.objects.count()
    session = merkmal_session()
    url = reverse("places:session_counts", kwargs={"pk": session.pk})
    client = client_for(lead_worker)
    for value in ("-1", "1000", "1e3", "３"):
        response = client.post(url, {count_field("person", "20s", "male"): value})
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert response.context["counts_form"].errors
    assert AnonymousCount.objects.filter(count__gt=999).count() == 0
    assert Person.objects.count() == persons


@pytest.mark.django_db
def test_a_family_association_session_of_another_kind_offers_no_needs(world, users):
    session = session_make(place_make("link", kind=PlaceKind.IBASHO, name="居場所"))
    response = client_for(users["desk"]).post(reverse("places:session_needs", kwargs={"pk": session.pk}), {})
    assert response.status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_emergency_access_is_read_only_and_names_nobody_at_a_place(world, users):
    """A worker who opened a case by emergency access (read only) runs a place of their own
    agency: naming a person of that case would write a progress record on it."""
    from tsunagu.cases.services.emergency import emergency_open

    outsider = users["outsider"]
    emergency_open(user=outsider, case=world.case, reason="夜間に本人の安否確認の電話があったため")
    session = session_make(place_make("anshin-kyodo", name="経堂のサロン"))
    records = world.case.records.count()
    response = client_for(outsider).post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    assert response.status_code == 400
    assert "選べる人の中から" in response.content.decode()
    assert not NamedAttendance.objects.exists() and world.case.records.count() == records


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_enrolment_sent_twice_is_one_and_a_stale_end_is_a_conflict(world, lead_worker, users):
    from tsunagu.places.models import Enrolment

    programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE, name="就労体験（カフェ）")
    client = client_for(lead_worker)
    data = {
        "submission_key": str(uuid.uuid4()),
        "person": world.person.pk,
        "place": programme.pk,
        "starts_on": "2026-11-01",
        "note": "",
    }
    url = reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk})
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    enrolment = Enrolment.objects.get()
    end = reverse("places:enrolment_end", kwargs={"pk": enrolment.pk})
    first = {"version": enrolment.version, "ends_on": "2026-11-20", "outcome": "work", "note": "一般就労"}
    assert client.post(end, first).status_code == 302
    stale = client_for(users["supervisor"]).post(end, {**first, "outcome": "dropped", "note": "中断"})
    assert stale.status_code == 409
    enrolment.refresh_from_db()
    assert (enrolment.outcome, enrolment.note) == ("work", "一般就労")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("starts_on", "ends_on"), [("2026-11-01", "2026-10-31"), ("0001-01-01", ""), ("2026-11-01", "9999-12-31")]
)
def test_enrolment_dates_out_of_range_are_field_messages(world, lead_worker, starts_on, ends_on):
    from tsunagu.places.models import Enrolment

    programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE, name="就労体験")
    client = client_for(lead_worker)
    response = client.post(
        reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk}),
        {"submission_key": str(uuid.uuid4()), "person": world.person.pk, "place": programme.pk, "starts_on": starts_on},
    )
    if starts_on.startswith("0001"):
        assert response.status_code == 400 and response.context["form"].errors.get("starts_on")
        assert not Enrolment.objects.exists()
        return
    enrolment = Enrolment.objects.get()
    response = client.post(
        reverse("places:enrolment_end", kwargs={"pk": enrolment.pk}),
        {"version": enrolment.version, "ends_on": ends_on, "outcome": "work"},
    )
    assert response.status_code == 400 and response.context["form"].errors.get("ends_on")
    enrolment.refresh_from_db()
    assert enrolment.ends_on is None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_day_before_meiji_6_is_refused_on_the_field_not_a_broken_case_page(world, lead_worker):
    """A day typed in 西暦 before 1873 has no 和暦, so no page could show it (the wareki filter
    raises): a progress record of 1800-01-01 made the case page answer 500 for good. Every date
    field (``core.forms.JapaneseDateField`` through ``lib.wareki.parse_date``) refuses it, as it
    refuses 和暦 before 明治6年."""
    records = world.case.records.count()
    client = client_for(lead_worker)
    response = client.post(
        reverse("records:create", kwargs={"case_pk": world.case.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "occurred_on": "1800-01-01",
            "method": "phone",
            "reached": "yes",
            "persons": [world.person.pk],
            "summary": "電話で話せた。",
        },
    )
    assert response.status_code == 400
    assert "明治6年より前の日付は扱えません。" in response.content.decode()
    assert world.case.records.count() == records
    assert client.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 200


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_session_still_to_come_takes_no_named_attendance_and_a_stale_edit_conflicts(world, lead_worker, users):
    session = session_make(merkmal_session().place, held_on=dt.date(2026, 12, 5), notes="元のメモ")
    client = client_for(lead_worker)
    response = client.post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    assert response.status_code == 400
    assert "開催日の当日から記録できます" in response.content.decode()
    assert not NamedAttendance.objects.exists() and not world.case.records.filter(method="place").exists()
    url = reverse("places:session_edit", kwargs={"pk": session.pk})
    edit = {"version": session.version, "kind": "regular", "held_on": "2026-12-05"}
    assert client.post(url, {**edit, "notes": "一人目"}).status_code == 302
    assert client_for(users["supervisor"]).post(url, {**edit, "notes": "二人目"}).status_code == 409
    session.refresh_from_db()
    assert (session.notes, session.version) == ("一人目", 2)
    ends_first = client.post(url, {**edit, "version": 2, "starts_at": "15:00", "ends_at": "13:00"})
    assert ends_first.status_code == 400 and ends_first.context["form"].errors.get("ends_at")
