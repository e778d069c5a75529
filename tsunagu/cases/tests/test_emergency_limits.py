"""Emergency access has a reviewer for every grant, a daily limit, and repeated use shows
(issue 8, #7); the reviewer reviews it on a review page, not the case (#13)."""

import contextlib
import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import AccessEvent, SecurityEvent
from tsunagu.cases import services
from tsunagu.cases.models import EmergencyAccess, SharingBasis, TimelineEntry
from tsunagu.cases.services import case_open
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.people.tests.factories import household_make, person_make

JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST)
REASON = "本人の母親から自傷をほのめかす電話。担当機関に連絡がつかない。"


def break_glass(client, case, reason=REASON):
    return client.post(reverse("cases:emergency"), {"case_number": case.number, "reason": reason})


def more_cases(world, desk, n):
    cases = []
    for i in range(n):
        household = household_make(label=f"緊急テスト世帯{i}")
        person_make(household, family_name="試験", given_name=f"{i}郎", is_concerned=True)
        cases.append(
            case_open(
                user=desk,
                household=household,
                lead=Agency.objects.get(code="merkmal"),
                sharing_basis=SharingBasis.CONSENT,
            )
        )
    return cases


@pytest.fixture
def desk_boss(reference):
    return make_user("desk_boss", "link", "supervisor", last_name="窓口", first_name="統括")


# --- #7: a reviewer for every grant ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_grant_of_an_agency_without_a_supervisor_is_reviewed_by_the_desk_supervisors(
    world, outsider, users, desk_boss
):
    # あんしんすこやかセンター経堂 has no supervisor
    break_glass(client_for(outsider), world.case)
    grant = EmergencyAccess.objects.get()
    page = client_for(desk_boss).get(reverse("work:my_work"))
    assert [e.pk for e in page.context["emergencies"]] == [grant.pk]
    assert list(client_for(users["supervisor"]).get(reverse("work:my_work")).context["emergencies"]) == []
    client_for(desk_boss).post(reverse("cases:emergency_review", kwargs={"pk": grant.pk}), {"note": "電話で確認"})
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (desk_boss, "電話で確認")


@pytest.mark.django_db
def test_an_agency_with_a_supervisor_reviews_its_own_grants(world, outsider, desk_boss):
    boss = make_user("anshin_boss", "anshin-kyodo", "supervisor")
    break_glass(client_for(outsider), world.case)
    assert len(client_for(boss).get(reverse("work:my_work")).context["emergencies"]) == 1
    assert list(client_for(desk_boss).get(reverse("work:my_work")).context["emergencies"]) == []


@pytest.mark.django_db
def test_the_only_supervisor_of_an_agency_is_reviewed_by_the_desk(world, desk_boss):
    lone = make_user("anshin_lone", "anshin-kyodo", "supervisor")
    break_glass(client_for(lone), world.case)
    assert list(client_for(lone).get(reverse("work:my_work")).context["emergencies"]) == []
    assert len(client_for(desk_boss).get(reverse("work:my_work")).context["emergencies"]) == 1


# --- #7: a daily limit -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_fourth_grant_of_a_day_is_refused_and_nothing_is_granted(world, outsider, desk):
    cases = [world.case, world.other_case, *more_cases(world, desk, 2)]
    with time_machine.travel(NOW, tick=False):
        client = client_for(outsider)
        for case in cases[:3]:
            assert break_glass(client, case).status_code == 302
        timeline_before = TimelineEntry.objects.count()
        refused = break_glass(client, cases[3])
        assert refused.status_code == 400
        assert "緊急アクセスは1日3件まで" in refused.content.decode()
        assert EmergencyAccess.objects.filter(user=outsider).count() == 3
        assert not EmergencyAccess.objects.filter(case=cases[3]).exists()
        assert TimelineEntry.objects.count() == timeline_before
        assert client.get(reverse("cases:detail", kwargs={"pk": cases[3].pk})).status_code == 404
        assert SecurityEvent.objects.filter(user=outsider, kind="emergency_limit").count() == 1


@pytest.mark.django_db
def test_the_limit_counts_the_tokyo_calendar_day(world, outsider, desk):
    cases = [world.case, world.other_case, *more_cases(world, desk, 3)]
    late = dt.datetime(2026, 11, 28, 23, 30, tzinfo=JST)  # 14:30 UTC
    with time_machine.travel(late, tick=False):
        client = client_for(outsider)
        for case in cases[:3]:
            assert break_glass(client, case).status_code == 302
        assert break_glass(client, cases[3]).status_code == 400
        assert not EmergencyAccess.objects.filter(case=cases[3]).exists()
    # 00:10 in Tokyo is a new day, although it is still 28 November in UTC
    with time_machine.travel(dt.datetime(2026, 11, 29, 0, 10, tzinfo=JST), tick=False):
        assert break_glass(client_for(outsider), cases[4]).status_code == 302
    granted = EmergencyAccess.objects.filter(user=outsider).values_list("case_id", flat=True)
    assert sorted(granted) == sorted(case.pk for case in [*cases[:3], cases[4]])


@pytest.mark.django_db
def test_the_limit_is_a_setting(world, outsider, settings):
    settings.EMERGENCY_ACCESS_PER_DAY = 1
    with time_machine.travel(NOW, tick=False):
        client = client_for(outsider)
        assert break_glass(client, world.case).status_code == 302
        refused = break_glass(client, world.other_case)
        assert refused.status_code == 400 and "緊急アクセスは1日1件まで" in refused.content.decode()
    assert list(EmergencyAccess.objects.values_list("case_id", flat=True)) == [world.case.pk]


@pytest.mark.django_db
def test_repeated_use_shows_on_the_reviewers_work_page(world, outsider, desk, desk_boss):
    cases = more_cases(world, desk, 2)
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        break_glass(client_for(outsider), cases[0])
    with time_machine.travel(NOW, tick=False):
        break_glass(client_for(outsider), cases[1])
        page = client_for(desk_boss).get(reverse("work:my_work"))
    text = page.content.decode()
    assert [(row["user"], row["week"]) for row in page.context["emergency_repeated"]] == [(outsider, 2)]
    assert "くり返し使っている職員" in text
    assert "7日間で2回" in text


@pytest.mark.django_db
def test_a_single_use_is_not_flagged_as_repeated(world, outsider, desk_boss):
    with time_machine.travel(NOW, tick=False):
        break_glass(client_for(outsider), world.case)
        page = client_for(desk_boss).get(reverse("work:my_work"))
    assert page.context["emergency_repeated"] == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_parallel_requests_at_the_cap_grant_only_one(reference, monkeypatch, settings):
    """Both requests count the grants before either has written: without a lock on the user's row
    both see 0 and both are granted. The barrier holds the first writer until the second has
    counted (or, with the lock, until it times out because the second waits for the lock)."""
    settings.EMERGENCY_ACCESS_PER_DAY = 1
    desk = make_user("desk_race", "link", "desk")
    worker = make_user("race_worker", "anshin-kyodo", "caseworker")
    cases = [
        case_open(
            user=desk,
            household=household_make(label=f"競合の世帯{i}"),
            lead=Agency.objects.get(code="merkmal"),
            sharing_basis=SharingBasis.CONSENT,
        )
        for i in range(2)
    ]
    barrier = threading.Barrier(2)
    create = EmergencyAccess.objects.create

    def create_after_both_counted(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return create(**kwargs)

    monkeypatch.setattr(EmergencyAccess.objects, "create", create_after_both_counted)
    outcomes: list[str] = []

    def request(case):
        try:
            services.emergency_open(user=worker, case=case, reason=REASON)
            outcomes.append("granted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["granted", "refused"]
    assert EmergencyAccess.objects.filter(user=worker).count() == 1


# --- #13: the review page --------------------------------------------------------------------------


def _read_under_emergency(world, outsider):
    client = client_for(outsider)
    break_glass(client, world.case)
    client.get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    client.get(reverse("people:person_detail", kwargs={"pk": world.person.pk}))
    client.get(reverse("records:detail", kwargs={"pk": world.record.pk}))
    return EmergencyAccess.objects.get()


@pytest.mark.django_db
def test_the_work_page_links_to_the_review_page_not_to_the_case(world, outsider, desk_boss):
    grant = _read_under_emergency(world, outsider)
    text = client_for(desk_boss).get(reverse("work:my_work")).content.decode()
    assert reverse("cases:emergency_review", kwargs={"pk": grant.pk}) in text
    assert reverse("cases:detail", kwargs={"pk": world.case.pk}) not in text


@pytest.mark.django_db
def test_the_review_page_shows_who_when_why_and_what_was_read(world, outsider, desk_boss):
    grant = _read_under_emergency(world, outsider)
    outsider.last_name, outsider.first_name = "経堂", "一郎"
    outsider.save()
    page = client_for(desk_boss).get(reverse("cases:emergency_review", kwargs={"pk": grant.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "経堂 一郎" in text and "あんしんすこやかセンター経堂" in text
    assert REASON in text and world.case.number in text
    kinds = [(e.object_type, e.object_ids) for e in page.context["reads"]]
    assert ("case", [world.case.pk]) in kinds
    assert ("person", [world.person.pk]) in kinds
    assert ("record", [world.record.pk]) in kinds
    assert reverse("records:detail", kwargs={"pk": world.record.pk}) in text  # the page that was read, as text
    # not the case itself: no link into it, none of its content
    assert f'href="{reverse("cases:detail", kwargs={"pk": world.case.pk})}"' not in text
    assert "訪問したが応答なし" not in text and "太郎" not in text
    # opening the review is itself recorded
    assert AccessEvent.objects.filter(user=desk_boss, object_type="emergency_access", object_ids=[grant.pk]).exists()


@pytest.mark.django_db
def test_the_reviewer_marks_it_reviewed_with_an_optional_comment(world, outsider, desk_boss):
    grant = _read_under_emergency(world, outsider)
    url = reverse("cases:emergency_review", kwargs={"pk": grant.pk})
    response = client_for(desk_boss).post(url, {"note": ""})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == desk_boss and grant.review_note == ""
    page = client_for(desk_boss).get(url)
    assert page.status_code == 200 and "確認済み" in page.content.decode()
    client_for(desk_boss).post(url, {"note": "二度目"})
    grant.refresh_from_db()
    assert grant.review_note == ""  # reviewed once


@pytest.mark.django_db
def test_outsiders_of_the_review_get_404(world, outsider, users, desk_boss):
    grant = _read_under_emergency(world, outsider)
    url = reverse("cases:emergency_review", kwargs={"pk": grant.pk})
    for persona in (outsider, users["supervisor"], users["lead_worker"], users["desk"], users["secretariat"]):
        assert client_for(persona).get(url).status_code == 404
        assert client_for(persona).post(url, {"note": "x"}).status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None
