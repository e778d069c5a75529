"""The audit review (issue 11 item 5, decision 0029): supervisors review their agencies' staff,
the auditor role everything; the filters and the export give exactly the constructed events; the
signals (emergency access, exports, off hours, many cases beyond the team) mark the right ones;
the review and the export are themselves recorded."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.review import MANY_CASES
from tsunagu.core.tests.personas import client_for, make_user

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)  # Friday 12:00 in Tokyo
TOKYO = dt.timezone(dt.timedelta(hours=9))


def event(user, at, *, action=Action.VIEW, persons=(), case=None, basis="team", object_type="case"):
    """An access event as the door records it, at a given Tokyo time."""
    with time_machine.travel(at, tick=False):
        return AccessEvent.objects.create(
            user=user,
            username=user.username,
            action=action,
            object_type=object_type,
            object_ids=[case] if case else [],
            person_ids=list(persons),
            case_id=case,
            basis=basis,
            ip="10.0.0.5",
            path="/staff/",
        )


def tokyo(*args):
    return dt.datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def trail(users):
    """Events of a caseworker of メルクマール (the supervisor's agency) and of the desk (another)."""
    worker, desk = users["lead_worker"], users["desk"]
    return {
        "in_hours": event(worker, tokyo(2026, 11, 26, 10, 0), persons=[11, 12], case=5),
        "evening": event(worker, tokyo(2026, 11, 26, 20, 30), persons=[12], case=6),
        "holiday": event(worker, tokyo(2026, 11, 23, 11, 0), persons=[13], case=7),  # 勤労感謝の日
        "saturday": event(worker, tokyo(2026, 11, 21, 11, 0), persons=[14], case=8),
        "emergency": event(worker, tokyo(2026, 11, 25, 9, 0), persons=[15], case=9, basis="emergency"),
        "export": event(worker, tokyo(2026, 11, 25, 9, 30), action=Action.EXPORT, object_type="report"),
        "desk": event(desk, tokyo(2026, 11, 26, 10, 0), persons=[11], case=5, basis="desk"),
        "old": event(worker, tokyo(2026, 9, 1, 10, 0), persons=[11], case=5),
    }


@pytest.fixture
def auditor(reference):
    return make_user("auditor", "ward-seikatsu-fukushi", Role.AUDITOR)


def shown(client, **params):
    """The constructed events the page lists (not the reviews' own records, which it lists too)."""
    response = client.get(reverse("audit:review"), params)
    assert response.status_code == 200
    return {e.pk for e in response.context["page"] if e.object_type != "access_event"}


def ids(trail, *names):
    return {trail[n].pk for n in names}


RECENT = ("in_hours", "evening", "holiday", "saturday", "emergency", "export")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_supervisor_reviews_their_agencys_staff_and_the_auditor_everyone(trail, users, auditor):
    assert shown(client_for(users["supervisor"])) == ids(trail, *RECENT)  # the last 30 days
    assert shown(client_for(auditor)) == ids(trail, *RECENT, "desk")
    assert client_for(users["lead_worker"]).get(reverse("audit:review")).status_code == 403
    assert client_for(users["secretariat"]).get(reverse("audit:review")).status_code == 403
    page = client_for(auditor).get(reverse("work:home")).content.decode()
    assert reverse("audit:review") in page


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_filter_gives_exactly_the_matching_events(trail, users, auditor):
    client = client_for(auditor)
    merkmal = Agency.objects.get(code="merkmal")
    assert shown(client, person=11) == ids(trail, "in_hours", "desk")
    assert shown(client, person=12) == ids(trail, "in_hours", "evening")
    assert shown(client, case="K-000005") == ids(trail, "in_hours", "desk")
    assert shown(client, case="6") == ids(trail, "evening")
    assert shown(client, user="desk") == ids(trail, "desk")
    assert shown(client, agency=merkmal.pk) == ids(trail, *RECENT)
    assert shown(client, action="export") == ids(trail, "export")
    assert shown(client, since="2026-11-25", until="令和8年11月25日") == ids(trail, "emergency", "export")
    assert shown(client, since="2026-09-01", until="2026-09-01", person=11) == ids(trail, "old")
    bad = client.get(reverse("audit:review"), {"case": "abc"})
    assert bad.status_code == 200 and set(bad.context["page"]) >= {trail["desk"]}  # a bad filter is dropped


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_signals_mark_emergency_access_exports_and_off_hours(trail, auditor):
    client = client_for(auditor)
    assert shown(client, signal="emergency") == ids(trail, "emergency")
    assert shown(client, signal="export") == ids(trail, "export")
    assert shown(client, signal="off_hours") == ids(trail, "evening", "holiday", "saturday")
    response = client.get(reverse("audit:review"))
    assert response.context["signals"] == {"emergency": 1, "export": 1, "off_hours": 3, "beyond_team": 2}
    flagged = {e.pk for e in response.context["page"] if e.off_hours}
    assert flagged == ids(trail, "evening", "holiday", "saturday")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_user_reading_many_cases_beyond_their_team_is_listed(users, auditor):
    desk = users["desk"]
    for case in range(1, MANY_CASES + 1):
        event(desk, tokyo(2026, 11, 26, 10, 0), case=case, basis="referral")
    event(users["lead_worker"], tokyo(2026, 11, 26, 10, 0), case=1, basis="meeting")
    readers = client_for(auditor).get(reverse("audit:review")).context["readers"]
    assert readers == [{"username": "desk", "cases": MANY_CASES}]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_export_holds_exactly_the_filtered_events_and_is_recorded(trail, users):
    client = client_for(users["supervisor"])
    response = client.get(reverse("audit:review_export"), {"person": 12})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "日時" and len(rows) == 3
    assert [r[6] for r in rows[1:]] == ["K-000006", "K-000005"]  # newest first
    assert rows[1][11] == "○" and rows[2][11] == ""  # the evening read is off hours
    export = AccessEvent.objects.filter(user=users["supervisor"], action=Action.EXPORT).get()
    assert "2 rows" in export.reason and "person_id=12" in export.reason


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reading_the_review_is_itself_recorded(trail, auditor):
    client_for(auditor).get(reverse("audit:review"), {"user": "desk"})
    read = AccessEvent.objects.filter(user=auditor, object_type="access_event").get()
    assert read.action == Action.LIST and read.object_ids == [trail["desk"].pk]
    assert "username=desk" in read.reason
