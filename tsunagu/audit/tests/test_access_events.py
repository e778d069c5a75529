"""S3: every read and write of personal data leaves an access event in the request's
transaction. S4: the trail is append-only."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AccessEvent, AppendOnlyError
from tsunagu.core.tests.personas import client_for


def new_events(before: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.order_by("id")[before:])


READS = [
    # url name, kwargs, object type, object id, person id(s) that must be listed
    ("people:person_detail", lambda w: {"pk": w.person.pk}, "person", lambda w: w.person.pk, lambda w: [w.person.pk]),
    (
        "people:household_detail",
        lambda w: {"pk": w.household.pk},
        "household",
        lambda w: w.household.pk,
        lambda w: [w.person.pk],
    ),
    (
        "intake:detail",
        lambda w: {"pk": w.consultation.pk},
        "consultation",
        lambda w: w.consultation.pk,
        lambda w: [w.person.pk],
    ),
    ("cases:detail", lambda w: {"pk": w.case.pk}, "case", lambda w: w.case.pk, lambda w: [w.person.pk]),
    ("records:detail", lambda w: {"pk": w.record.pk}, "record", lambda w: w.record.pk, lambda w: [w.person.pk]),
    (
        "assessments:detail",
        lambda w: {"pk": w.assessment.pk},
        "assessment",
        lambda w: w.assessment.pk,
        lambda w: [w.person.pk],
    ),
    (
        "assessments:history",
        lambda w: {"person_pk": w.person.pk},
        "person",
        lambda w: w.person.pk,
        lambda w: [w.person.pk],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "kind", "obj", "persons"), READS, ids=[r[0] for r in READS])
def test_every_detail_page_records_who_read_whose_data(world, lead_worker, name, kwargs, kind, obj, persons):
    before = AccessEvent.objects.count()
    response = client_for(lead_worker).get(reverse(name, kwargs=kwargs(world)), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    events = [e for e in new_events(before) if e.object_type == kind]
    assert len(events) == 1
    event = events[0]
    assert event.user == lead_worker
    assert event.action == "view"
    assert event.object_ids == [obj(world)]
    assert set(persons(world)) <= set(event.person_ids)
    assert event.ip == "10.1.2.3"
    assert event.path == reverse(name, kwargs=kwargs(world))


@pytest.mark.django_db
def test_a_refused_read_records_no_access_but_a_security_event(world, outsider):
    from tsunagu.audit.models import SecurityEvent

    before = AccessEvent.objects.count()
    assert client_for(outsider).get(reverse("people:person_detail", kwargs={"pk": world.person.pk})).status_code == 404
    assert AccessEvent.objects.count() == before
    refused = SecurityEvent.objects.filter(user=outsider, url_name="people:person_detail", object_id=world.person.pk)
    assert refused.exists()


@pytest.mark.django_db
def test_lists_and_searches_record_every_person_shown(world, desk):
    before = AccessEvent.objects.count()
    client_for(desk).post(reverse("people:search"), {"q": "やまだ"})
    search = [e for e in new_events(before) if e.action == "search"]
    assert search and search[0].person_ids == [world.person.pk]

    before = AccessEvent.objects.count()
    client_for(desk).get(reverse("intake:queue"))
    listed = [e for e in new_events(before) if e.action == "list"]
    assert listed and listed[0].object_ids == [world.waiting.pk]

    before = AccessEvent.objects.count()
    client_for(desk).get(reverse("cases:list"))
    listed = [e for e in new_events(before) if e.action == "list" and e.object_type == "case"]
    assert sorted(listed[0].object_ids) == sorted([world.case.pk, world.other_case.pk])


@pytest.mark.django_db
def test_writes_record_an_event(world, desk):
    client = client_for(desk)
    page = client.get(reverse("people:person_edit", kwargs={"pk": world.person.pk}))
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    data.update(family_name="山田", given_name="次郎", birth_date="平成2年5月10日", is_concerned="on")
    before = AccessEvent.objects.count()
    response = client.post(reverse("people:person_edit", kwargs={"pk": world.person.pk}), data)
    assert response.status_code == 302
    updates = [e for e in new_events(before) if e.action == "update"]
    assert [(e.object_type, e.object_ids, e.user_id) for e in updates] == [("person", [world.person.pk], desk.pk)]


@pytest.mark.django_db
def test_a_write_that_fails_leaves_no_event_behind(world, desk):
    before = AccessEvent.objects.count()
    response = client_for(desk).post(
        reverse("people:person_edit", kwargs={"pk": world.person.pk}), {"version": 1, "birth_date": "令和7年2月30日"}
    )
    assert response.status_code == 400
    assert [e.action for e in new_events(before)] == ["view"]


@pytest.mark.django_db
def test_the_case_page_shows_who_viewed_it(world, lead_worker, users):
    client_for(users["supervisor"]).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    response = client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    viewers = [row["reader"].username for row in response.context["viewers"]]
    assert "supervisor" in viewers
    assert "lead_worker" in viewers


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_an_event(world):
    event = AccessEvent.objects.first()
    event.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db
def test_whose_data_a_user_touched_is_one_query(world, lead_worker):
    client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    touched = set()
    for ids in AccessEvent.objects.filter(user=lead_worker).values_list("person_ids", flat=True):
        touched.update(ids)
    assert touched == {world.person.pk}


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessevent SET reason = 'tampered'",
        "DELETE FROM audit_accessevent",
    ],
)
def test_postgres_refuses_update_and_delete_on_the_trail(world, statement):
    assert AccessEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert not AccessEvent.objects.filter(reason="tampered").exists()


@pytest.mark.django_db
def test_every_kind_of_write_records_its_event(world, desk):
    import uuid

    client = client_for(desk)
    before = AccessEvent.objects.count()
    client.post(reverse("people:household_create"), {"submission_key": str(uuid.uuid4()), "label": "記録のテスト"})
    client.post(
        reverse("intake:triage", kwargs={"pk": world.waiting.pk}),
        {
            "version": world.waiting.version,
            "screening": "info_only",
            "household_mode": "none",
            "person_mode": "none",
            "action": "save",
        },
    )
    written = {(e.action, e.object_type) for e in new_events(before) if e.action in ("create", "update")}
    assert written == {("create", "household"), ("update", "consultation")}
    assert all(e.user_id == desk.pk for e in new_events(before))


@pytest.mark.django_db
def test_my_work_records_the_cases_it_listed(world, users):
    """The cases shown on the page, not every open case the sections were chosen from."""
    from tsunagu.records.services import RecordData, record_create

    supervisor = users["supervisor"]
    today = timezone.localdate()
    data = RecordData(
        occurred_on=today, method="phone", reached=True, persons=[world.person], summary="電話", next_action_on=today
    )
    record_create(user=users["lead_worker"], case=world.case, data=data, key=None)  # a due next action
    before = AccessEvent.objects.count()
    client_for(supervisor).get(reverse("work:my_work"), {"scope": "agency"})
    listed = [e for e in new_events(before) if e.action == "list"]
    assert [(e.object_type, e.object_ids, e.reason) for e in listed] == [("case", [world.case.pk], "worklist agency")]


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["mine", "agency"])
def test_my_work_records_the_cases_of_the_plans_waiting_for_approval(world, users, scope):
    """The plans waiting for the supervisor show their case's number and household: listed too."""
    from tsunagu.plans.services import plan_submit

    plan_submit(user=users["lead_worker"], plan=world.plan, expected_version=world.plan.version)
    before = AccessEvent.objects.count()
    page = client_for(users["supervisor"]).get(reverse("work:my_work"), {"scope": scope})
    assert [plan.pk for plan in page.context["work"].plans_to_approve] == [world.plan.pk]
    listed = [e for e in new_events(before) if e.action == "list" and e.object_type == "case"]
    assert [world.case.pk in e.object_ids for e in listed] == [True]
