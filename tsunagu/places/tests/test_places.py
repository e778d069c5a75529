"""Places (issue 12): the registry, sessions with anonymous counts and named attendance, family
association needs, enrolments; who may see and change what."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, TimelineEntry
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.people.models import Person
from tsunagu.places.forms import count_field_name
from tsunagu.places.models import AnonymousCount, Enrolment, FamilyNeedCount, NamedAttendance, Place, PlaceKind
from tsunagu.places.services import closure_suggestion
from tsunagu.places.tests.factories import merkmal_session, place_make, session_make
from tsunagu.records.models import ProgressRecord

NOW = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 25)


def place_data(**overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "name": "ひだまりカフェ",
        "kind": "ibasho",
        "audience": "person",
        "age_min": "15",
        "age_max": "39",
        "joining": "open",
        "schedule": "毎週水曜 13:00〜16:00",
        "is_public": "on",
        "active": "on",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "lead_worker", "supervisor", "outsider", "secretariat", "partner"])
def test_the_registry_is_seen_by_every_staff_role(world, users, persona):
    place = place_make("merkmal", name="見える居場所")
    client = client_for(users[persona])
    assert client.get(reverse("places:list")).status_code == 200
    assert client.get(reverse("places:detail", kwargs={"pk": place.pk})).status_code == 200


@pytest.mark.django_db
def test_staff_of_the_running_agency_create_and_edit_a_place(world, lead_worker, users):
    merkmal = lead_worker.memberships.get().agency
    response = client_for(lead_worker).post(reverse("places:new"), place_data(agency=merkmal.pk))
    assert response.status_code == 302
    place = Place.objects.get(name="ひだまりカフェ")
    assert (place.agency, place.age_min, place.is_public) == (merkmal, 15, True)
    edit = reverse("places:edit", kwargs={"pk": place.pk})
    assert client_for(users["supervisor"]).get(edit).status_code == 200
    for persona in ("desk", "outsider"):
        assert client_for(users[persona]).get(edit).status_code == 404
    for persona in ("secretariat", "partner"):
        assert client_for(users[persona]).get(edit).status_code == 404


@pytest.mark.django_db
def test_a_place_of_another_agency_cannot_be_created(world, lead_worker, users):
    other = users["desk"].memberships.get().agency
    response = client_for(lead_worker).post(reverse("places:new"), place_data(agency=other.pk))
    assert response.status_code == 400
    assert not Place.objects.filter(name="ひだまりカフェ").exists()


@pytest.mark.django_db
def test_an_age_range_upside_down_is_refused_on_the_field(world, lead_worker):
    merkmal = lead_worker.memberships.get().agency
    response = client_for(lead_worker).post(reverse("places:new"), place_data(agency=merkmal.pk, age_min="40"))
    assert response.status_code == 400
    assert "上限は下限以上" in response.content.decode()
    assert not Place.objects.exists()


@pytest.mark.django_db
def test_anonymous_counts_never_create_person_records_and_replace_atomically(world, lead_worker):
    session = merkmal_session()
    persons = Person.objects.count()
    url = reverse("places:session_counts", kwargs={"pk": session.pk})
    grid = {count_field_name("person", "20s", "male"): "2", count_field_name("family", "60s", "female"): "1"}
    assert client_for(lead_worker).post(url, grid).status_code == 302
    assert sorted(AnonymousCount.objects.filter(session=session).values_list("role", "age_band", "sex", "count")) == [
        ("family", "60s", "female", 1),
        ("person", "20s", "male", 2),
    ]
    # A bad cell: nothing changes, the message is on the page.
    bad = {count_field_name("person", "10s", "female"): "3", count_field_name("person", "20s", "male"): "-1"}
    response = client_for(lead_worker).post(url, bad)
    assert response.status_code == 400
    assert "0以上" in response.content.decode()
    assert AnonymousCount.objects.filter(session=session).count() == 2
    # Saving again replaces.
    assert client_for(lead_worker).post(url, {count_field_name("person", "10s", "female"): "3"}).status_code == 302
    assert list(AnonymousCount.objects.filter(session=session).values_list("age_band", "count")) == [("10s", 3)]
    assert Person.objects.count() == persons


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "outsider", "secretariat"])
def test_only_the_running_agency_records_counts(world, users, persona):
    session = merkmal_session()
    url = reverse("places:session_counts", kwargs={"pk": session.pk})
    response = client_for(users[persona]).post(url, {count_field_name("person", "20s", "male"): "2"})
    assert response.status_code in (403, 404)
    assert not AnonymousCount.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_named_attendance_of_a_case_member_is_on_the_timeline_and_resets_the_no_contact_clock(
    world, lead_worker, users
):
    worker = make_user("ibasho_worker", "merkmal", "caseworker")
    session = merkmal_session()
    case = world.case
    assert case.last_contact_on is None
    response = client_for(worker).post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    assert response.status_code == 302
    attendance = NamedAttendance.objects.get(session=session, person=world.person)
    record = attendance.record
    assert (record.case_id, record.method, record.reached, record.occurred_on) == (case.pk, "place", True, DAY)
    assert record.created_by == worker
    case.refresh_from_db()
    assert case.last_contact_on == DAY
    # The no-contact clock runs from the visit now (decision 0017).
    assert case.quiet_since == DAY
    assert case.stalled_on == DAY + dt.timedelta(days=(case.stalled_on - case.quiet_since).days)
    assert Case.objects.filter(pk=case.pk, stalled_on__lte=DAY).count() == 0
    entry = TimelineEntry.objects.get(case=case, object_id=record.pk, kind="record")
    assert "居場所・プログラム" in entry.summary
    # The case's caseworker sees it on the case page.
    page = client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert "テストの居場所" in page.content.decode()
    # A second time is the same attendance, not a second contact.
    client_for(worker).post(
        reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"}
    )
    assert ProgressRecord.objects.filter(case=case, method="place").count() == 1
    assert AccessEvent.objects.filter(object_type="attendance", action="create", user=worker).count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_running_a_place_records_a_person_of_a_case_it_is_not_on(world, users):
    desk = users["desk"]
    session = session_make(place_make("link", kind=PlaceKind.FAMILY_ASSOCIATION, name="家族のつどい"))
    url = reverse("places:named_add", kwargs={"pk": session.pk})
    assert client_for(desk).post(url, {"person": world.person.pk, "role": "family"}).status_code == 302
    record = NamedAttendance.objects.get().record
    assert record.case_id == world.case.pk and record.created_by == desk
    world.case.refresh_from_db()
    assert world.case.last_contact_on == DAY


@pytest.mark.django_db
def test_a_person_the_user_may_not_see_cannot_be_named(world, users):
    session = session_make(place_make("anshin-kyodo", name="経堂のサロン"))
    url = reverse("places:named_add", kwargs={"pk": session.pk})
    response = client_for(users["outsider"]).post(url, {"person": world.person.pk, "role": "person"})
    assert response.status_code == 400
    assert "選べる人の中から" in response.content.decode()
    assert not NamedAttendance.objects.exists() and not ProgressRecord.objects.filter(method="place").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_removing_a_named_attendance_leaves_no_false_contact(world, lead_worker):
    session = merkmal_session()
    client = client_for(lead_worker)
    client.post(reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"})
    attendance = NamedAttendance.objects.get()
    record = attendance.record
    assert client.post(reverse("places:named_remove", kwargs={"pk": attendance.pk})).status_code == 302
    assert not NamedAttendance.objects.exists()
    record.refresh_from_db()
    assert record.reached is False and record.summary.startswith("（取り消し）")
    assert record.revisions.count() == 1  # the record is corrected, never deleted
    world.case.refresh_from_db()
    assert world.case.last_contact_on is None


@pytest.mark.django_db
def test_named_attendance_is_seen_by_the_running_agency_and_the_case_team_only(world, users):
    session = session_make(place_make("link", name="ぷらっとホームの居場所"))
    desk = users["desk"]
    for person in (world.person, world.other_person):
        client_for(desk).post(
            reverse("places:named_add", kwargs={"pk": session.pk}), {"person": person.pk, "role": "person"}
        )
    url = reverse("places:session", kwargs={"pk": session.pk})

    def shown(persona):
        response = client_for(users[persona]).get(url)
        assert response.status_code == 200
        return [a.person for a in response.context["named"]]

    assert shown("desk") == [world.person, world.other_person]  # the running agency
    assert shown("lead_worker") == [world.person]  # the team of world.person's case only
    assert shown("outsider") == []
    assert shown("secretariat") == []
    assert "山田" not in client_for(users["outsider"]).get(url).content.decode()
    assert AccessEvent.objects.filter(object_type="attendance", action="view", user=users["lead_worker"]).exists()


@pytest.mark.django_db
def test_a_family_association_counts_needs_by_the_family_sheet(world, users):
    desk = users["desk"]
    session = session_make(place_make("link", kind=PlaceKind.FAMILY_ASSOCIATION, name="家族会"), kind="study")
    page = client_for(desk).get(reverse("places:session", kwargs={"pk": session.pk}))
    form = page.context["needs_form"]
    labels = [field.label for field in form]
    assert "介護が必要な家族がいる" in labels and "親の年金で生活" in labels
    names = {value: name for name, value in form.names.items()}
    url = reverse("places:session_needs", kwargs={"pk": session.pk})
    assert client_for(desk).post(url, {names["signals_8050:pension"]: "3"}).status_code == 302
    assert list(FamilyNeedCount.objects.values_list("need", "count")) == [("signals_8050:pension", 3)]
    # The family association's count grid is for family members only.
    assert [block["role"] for block in page.context["counts_form"].grid()] == ["家族"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_enrolment_from_the_case_page_with_its_outcome(world, lead_worker, users):
    programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE, name="就労体験（カフェ）")
    client = client_for(lead_worker)
    case_page = client.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).content.decode()
    assert reverse("places:enrolments", kwargs={"case_pk": world.case.pk}) in case_page
    response = client.post(
        reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "person": world.person.pk,
            "place": programme.pk,
            "starts_on": "令和8年11月1日",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert TimelineEntry.objects.filter(case=world.case, kind="enrolment", object_id=enrolment.pk).count() == 1
    assert closure_suggestion(world.case) is None
    end = reverse("places:enrolment_end", kwargs={"pk": enrolment.pk})
    bad = client.post(end, {"version": enrolment.version, "ends_on": "令和8年10月1日", "outcome": "work"})
    assert bad.status_code == 400
    response = client.post(end, {"version": enrolment.version, "ends_on": "令和8年11月26日", "outcome": "work"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.outcome, enrolment.ends_on) == ("work", dt.date(2026, 11, 26))
    assert TimelineEntry.objects.filter(case=world.case, kind="enrolment").count() == 2
    assert closure_suggestion(world.case) == "work"
    listing = client.get(reverse("places:enrolments", kwargs={"case_pk": world.case.pk})).content.decode()
    assert reverse("cases:stage", kwargs={"pk": world.case.pk, "person_pk": world.person.pk}) in listing
    status = client.get(reverse("cases:status", kwargs={"pk": world.case.pk}))
    assert status.context["form"]["closure_reason"].value() == "work"
    for persona in ("desk", "outsider", "secretariat"):
        assert client_for(users[persona]).get(end).status_code == 404


@pytest.mark.django_db
def test_a_person_outside_the_household_cannot_be_enrolled(world, lead_worker):
    programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE)
    response = client_for(lead_worker).post(
        reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "person": world.other_person.pk,
            "place": programme.pk,
            "starts_on": "令和8年11月1日",
        },
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_session_to_come_takes_no_named_attendance(world, lead_worker):
    session = session_make(merkmal_session().place, held_on=dt.date(2026, 12, 1))
    url = reverse("places:named_add", kwargs={"pk": session.pk})
    response = client_for(lead_worker).post(url, {"person": world.person.pk, "role": "person"})
    assert response.status_code == 400
    assert "開催日の当日から" in response.content.decode()
    assert not NamedAttendance.objects.exists()
    world.case.refresh_from_db()
    assert world.case.last_contact_on is None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_moving_a_session_moves_the_contact_it_made(world, lead_worker):
    session = merkmal_session()
    client = client_for(lead_worker)
    client.post(reverse("places:named_add", kwargs={"pk": session.pk}), {"person": world.person.pk, "role": "person"})
    session.refresh_from_db()
    url = reverse("places:session_edit", kwargs={"pk": session.pk})
    edit = {"version": session.version, "kind": "regular", "held_on": "令和8年11月20日"}
    assert client.post(url, edit).status_code == 302
    record = NamedAttendance.objects.get().record
    assert record.occurred_on == dt.date(2026, 11, 20) and record.revisions.count() == 1
    world.case.refresh_from_db()
    assert world.case.last_contact_on == dt.date(2026, 11, 20)
    session.refresh_from_db()
    future = {"version": session.version, "kind": "regular", "held_on": "令和8年12月20日"}
    assert client.post(url, future).status_code == 400
    session.refresh_from_db()
    assert session.held_on == dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_two_edits_of_a_place_from_the_same_version_conflict(world, lead_worker, users):
    place = merkmal_session().place
    url = reverse("places:edit", kwargs={"pk": place.pk})
    data = place_data(version=place.version)
    del data["submission_key"]
    assert client_for(lead_worker).post(url, {**data, "name": "一人目の名前"}).status_code == 302
    response = client_for(users["supervisor"]).post(url, {**data, "name": "二人目の名前"})
    assert response.status_code == 409
    place.refresh_from_db()
    assert (place.name, place.version) == ("一人目の名前", 2)
