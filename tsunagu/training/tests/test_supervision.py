"""Supervision sessions: who records them, which cases they may name, who reads them, the access
events, and the follow-ups on the supervisee's work page (issue 12, part 5)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Role
from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession
from tsunagu.training.tests.helpers import make_follow_up, make_session

TODAY = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def session_post(users, **overrides):
    data = {
        "held_on": "令和8年11月25日",
        "supervisees": [str(users["lead_worker"].pk)],
        "cases": "",
        "notes": "家庭訪問の頻度について。",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_a_supervisor_records_a_session_with_a_case_they_see(world, users):
    client = client_for(users["supervisor"])
    response = client.post(reverse("supervision:new"), session_post(users, cases=world.case.number))
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:detail", kwargs={"pk": session.pk})
    assert session.supervisor == users["supervisor"]
    assert list(session.supervisees.all()) == [users["lead_worker"]]
    assert list(session.cases.all()) == [world.case]
    event = AccessEvent.objects.get(object_type="supervision", action="create")
    assert (event.case_id, event.object_ids, event.person_ids) == (world.case.pk, [session.pk], [world.person.pk])


def test_a_double_submission_records_one_session(world, users):
    client = client_for(users["supervisor"])
    data = session_post(users)
    assert client.post(reverse("supervision:new"), data).status_code == 302
    assert client.post(reverse("supervision:new"), data).status_code == 302
    assert SupervisionSession.objects.count() == 1


@pytest.mark.parametrize("which", ["hidden", "missing"])
def test_a_case_the_supervisor_cannot_see_is_refused_like_a_missing_one(world, users, which):
    number = world.other_case.pk if which == "hidden" else 987654
    response = client_for(users["supervisor"]).post(reverse("supervision:new"), session_post(users, cases=str(number)))
    assert response.status_code == 400
    errors = response.context["form"].errors["cases"]
    assert errors == [
        f"次のケース番号は選べません：K-{number:06d}。あなたが見ることのできるケースの番号を入力してください。"
    ]
    assert not SupervisionSession.objects.exists()
    assert not AccessEvent.objects.filter(object_type="supervision").exists()
    # Nothing of the hidden case reaches the page.
    assert world.other_household.label not in response.content.decode()


def test_supervisees_come_from_the_supervisors_agencies(world, users):
    client = client_for(users["supervisor"])
    response = client.post(reverse("supervision:new"), session_post(users, supervisees=[str(users["outsider"].pk)]))
    assert response.status_code == 400
    assert "supervisees" in response.context["form"].errors
    response = client.post(reverse("supervision:new"), session_post(users, supervisees=[]))
    assert response.context["form"].errors["supervisees"] == ["スーパーバイジーを一人以上選んでください。"]
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize("cases", ["K-12 x", "abc", "K-", "1,2," + ",".join(str(i) for i in range(3, 30))])
def test_badly_typed_case_numbers_are_refused_on_the_field(world, users, cases):
    response = client_for(users["supervisor"]).post(reverse("supervision:new"), session_post(users, cases=cases))
    assert response.status_code == 400
    assert "cases" in response.context["form"].errors
    assert not SupervisionSession.objects.exists()


def test_a_future_date_is_refused(world, users):
    response = client_for(users["supervisor"]).post(
        reverse("supervision:new"), session_post(users, held_on="令和9年1月1日")
    )
    assert response.status_code == 400
    assert "held_on" in response.context["form"].errors


def test_reading_a_session_records_one_event_per_case_and_links_only_what_opens(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    before = AccessEvent.objects.count()
    response = client_for(users["supervisor"]).get(reverse("supervision:detail", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(e.object_type, e.action, e.case_id, e.person_ids) for e in events] == [
        ("supervision", "view", world.case.pk, [world.person.pk])
    ]
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    assert f'href="{case_url}"' in response.content.decode()
    # Only the number, never the household or the person's name.
    assert world.household.label not in response.content.decode()
    assert "山田" not in response.content.decode()


def test_a_supervisee_who_cannot_open_a_case_sees_its_number_only(world, users):
    from tsunagu.agencies.models import Agency, Membership

    # A supervisor of two agencies: the case is メルクマール's, the supervisee works at 経堂.
    second = make_user("supervisor2", "merkmal", Role.SUPERVISOR)
    Membership.objects.create(user=second, agency=Agency.objects.get(code="anshin-kyodo"), role=Role.SUPERVISOR)
    session = make_session(second, [users["outsider"]], [world.case])
    response = client_for(users["outsider"]).get(reverse("supervision:detail", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.case.number in page
    assert reverse("cases:detail", kwargs={"pk": world.case.pk}) not in page
    # The read is recorded for the case all the same: the notes may speak of it.
    assert AccessEvent.objects.filter(
        user=users["outsider"], object_type="supervision", action="view", case_id=world.case.pk
    ).exists()


def test_the_session_is_for_its_supervisor_and_supervisees_only(world, users):
    second = make_user("supervisor2", "merkmal", Role.SUPERVISOR)
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    url = reverse("supervision:detail", kwargs={"pk": session.pk})
    assert client_for(users["supervisor"]).get(url).status_code == 200
    assert client_for(users["lead_worker"]).get(url).status_code == 200
    for user in (second, users["desk"], users["outsider"], users["secretariat"], users["admin_user"]):
        assert client_for(user).get(url).status_code == 404, user
    missing = client_for(second).get(reverse("supervision:detail", kwargs={"pk": 999999}))
    assert missing.content == client_for(second).get(url).content


def test_only_the_supervisor_edits_with_optimistic_locking(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]])
    url = reverse("supervision:edit", kwargs={"pk": session.pk})
    assert client_for(users["lead_worker"]).get(url).status_code == 404
    client = client_for(users["supervisor"])
    data = session_post(users, version="1", notes="書き直した記録", cases=world.case.number)
    del data["submission_key"]
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "notes": "古い版からの保存"}).status_code == 409
    session.refresh_from_db()
    assert (session.notes, session.version, list(session.cases.all())) == ("書き直した記録", 2, [world.case])
    assert AccessEvent.objects.filter(object_type="supervision", action="update", case_id=world.case.pk).exists()


def test_follow_ups_are_added_for_supervisees_only(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    url = reverse("supervision:follow_up_add", kwargs={"pk": session.pk})
    client = client_for(users["supervisor"])
    data = {"assignee": users["lead_worker"].pk, "text": "母親に電話する", "due_on": "令和8年12月5日"}
    key = str(uuid.uuid4())
    assert client.post(url, {**data, "submission_key": key}).status_code == 302
    assert client.post(url, {**data, "submission_key": key}).status_code == 302
    assert SupervisionFollowUp.objects.count() == 1
    refused = client.post(url, {**data, "assignee": users["outsider"].pk, "submission_key": str(uuid.uuid4())})
    assert refused.status_code == 400
    assert "assignee" in refused.context["follow_up_form"].errors
    assert client_for(users["lead_worker"]).post(url, data).status_code == 404
    assert SupervisionFollowUp.objects.count() == 1


def test_the_follow_up_is_on_the_supervisees_work_page_and_marked_done_by_them(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    follow_up = make_follow_up(session, users["lead_worker"], due_on=dt.date(2026, 12, 5))
    work = client_for(users["lead_worker"]).get(reverse("work:my_work"))
    page = work.content.decode()
    assert "スーパービジョンのフォローアップ" in page
    assert "母親への連絡の頻度を見直す" in page
    assert AccessEvent.objects.filter(
        object_type="supervision_follow_up", object_ids=[follow_up.pk], case_id=world.case.pk
    ).exists()
    # The supervisor's own work page does not list it.
    assert (
        "母親への連絡の頻度を見直す"
        not in client_for(users["supervisor"]).get(reverse("work:my_work")).content.decode()
    )
    done_url = reverse("supervision:follow_up_done", kwargs={"pk": follow_up.pk})
    for other in ("supervisor", "desk", "outsider"):
        assert client_for(users[other]).post(done_url, {"version": 1}).status_code == 404
    response = client_for(users["lead_worker"]).post(done_url, {"version": 1, "next": "work"})
    assert response.status_code == 302
    assert response["Location"] == reverse("work:my_work") + "#supervision-follow-ups"
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert (
        "母親への連絡の頻度を見直す"
        not in client_for(users["lead_worker"]).get(reverse("work:my_work")).content.decode()
    )


def test_the_work_page_shows_twenty_follow_ups_and_counts_the_rest(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]])
    for i in range(23):
        make_follow_up(session, users["lead_worker"], text=f"フォローアップ{i}")
    response = client_for(users["lead_worker"]).get(reverse("work:my_work"))
    assert len(response.context["follow_ups"]) == 20
    assert response.context["follow_ups_more"] == 3
    assert "他 3 件" in response.content.decode()


def test_a_stale_done_is_a_conflict(world, users):
    session = make_session(users["supervisor"], [users["lead_worker"]])
    follow_up = make_follow_up(session, users["lead_worker"])
    SupervisionFollowUp.objects.filter(pk=follow_up.pk).update(version=2)
    response = client_for(users["lead_worker"]).post(
        reverse("supervision:follow_up_done", kwargs={"pk": follow_up.pk}), {"version": 1}
    )
    assert response.status_code == 409
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_the_list_shows_my_sessions_only(world, users):
    mine = make_session(users["supervisor"], [users["lead_worker"]])
    second = make_user("supervisor2", "merkmal", Role.SUPERVISOR)
    other = make_session(second, [users["supervisor"]])
    make_session(second, [make_user("merkmal_cw2", "merkmal", Role.CASEWORKER)])

    def listed(user):
        return sorted(s.pk for s in client_for(user).get(reverse("supervision:list")).context["sessions"])

    assert listed(users["supervisor"]) == sorted([mine.pk, other.pk])
    assert listed(users["lead_worker"]) == [mine.pk]
    assert listed(users["outsider"]) == []


def test_an_edit_keeps_a_supervisee_and_a_case_the_supervisor_no_longer_has(world, users):
    from tsunagu.cases.models import CaseAgency

    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    users["lead_worker"].memberships.update(active=False)  # moved on
    CaseAgency.objects.filter(case=world.case).update(until=dt.date(2026, 11, 28))  # the team changed
    client = client_for(users["supervisor"])
    url = reverse("supervision:edit", kwargs={"pk": session.pk})
    data = session_post(users, version="1", notes="追記", cases=world.case.number)
    del data["submission_key"]
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.notes, list(session.supervisees.all()), list(session.cases.all())) == (
        "追記",
        [users["lead_worker"]],
        [world.case],
    )
    # A case never on the session that the supervisor cannot see stays refused.
    refused = client.post(url, {**data, "version": "2", "cases": f"{world.case.number} {world.other_case.number}"})
    assert refused.status_code == 400
    assert "cases" in refused.context["form"].errors


@pytest.mark.parametrize("step", ["events", "cases"])
def test_a_failure_while_saving_a_session_leaves_nothing_behind(world, users, monkeypatch, step):
    """R1: the session, its supervisees and cases, its access events and its idempotency key are
    written together or not at all."""
    from tsunagu.core.models import IdempotencyKey
    from tsunagu.training import services

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    if step == "events":
        monkeypatch.setattr(services, "supervision_events", boom)
    else:
        from django.db.models.query import QuerySet

        original = QuerySet.bulk_create
        through = SupervisionSession.cases.through

        def bulk_create(self, objs, *args, **kwargs):
            if self.model is through:
                boom()
            return original(self, objs, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    before = AccessEvent.objects.count()
    with pytest.raises(RuntimeError):
        services.session_create(
            user=users["supervisor"],
            held_on=dt.date(2026, 11, 25),
            supervisees=[users["lead_worker"]],
            case_ids=[world.case.pk],
            notes="途中で失敗する記録",
            key=uuid.uuid4(),
        )
    assert not SupervisionSession.objects.exists()
    assert not SupervisionSession.supervisees.through.objects.exists()
    assert not IdempotencyKey.objects.filter(object_type="training.supervisionsession").exists()
    assert AccessEvent.objects.count() == before
