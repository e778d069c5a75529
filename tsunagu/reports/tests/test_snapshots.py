"""A council meeting keeps a report as it was on the day (issue 13 item 6)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.services import meeting_create
from tsunagu.reports import compose
from tsunagu.reports.models import ReportSnapshot
from tsunagu.reports.tables import Table

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def _table(counts):
    return Table(
        key="by_area",
        title="地域別の人数",
        definition="基準日に支援中のケースの本人。",
        rows=("世田谷", "北沢", "玉川"),
        columns=("人数",),
        cells=tuple((c,) for c in counts),
        unit="人",
        group="本人の状況",
    )


@pytest.fixture
def figures(monkeypatch):
    current = {"counts": (40, 3, 25)}
    monkeypatch.setattr(compose, "section_tables", lambda *a: [_table(current["counts"])])
    return current


@pytest.fixture
def council(reference):
    secretariat = make_user("s-sec", "ward-seikatsu-fukushi", Role.SECRETARIAT)
    ward = Agency.objects.get(code="ward-seikatsu-fukushi")
    with time_machine.travel(NOW, tick=False):
        meeting, _created = meeting_create(
            user=secretariat,
            organiser=ward,
            kind="liaison_council",
            title="第3回 ひきこもり支援機関連絡協議会",
            held_at=NOW + dt.timedelta(days=3),
            place="区役所 第1会議室",
            agencies=[ward, Agency.objects.get(code="merkmal")],
        )
    return secretariat, meeting


def attach(client, meeting, key, section="survey", **query):
    from urllib.parse import urlencode

    target = reverse("reports:snapshot_create", args=[section]) + ("?" + urlencode(query) if query else "")
    return client.post(target, {"meeting": meeting.pk, "submission_key": str(key)})


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_secretariat_attaches_the_published_figures_once_and_they_stay_as_they_were(council, figures):
    secretariat, meeting = council
    client = client_for(secretariat)
    page = client.get(reverse("reports:section", args=["survey"]))
    assert meeting.title in page.content.decode()  # offered on the report page
    key = uuid.uuid4()
    first = attach(client, meeting, key, year="2026")
    again = attach(client, meeting, key, year="2026")  # a double click
    assert first.status_code == again.status_code == 302
    assert ReportSnapshot.objects.count() == 1
    snapshot = ReportSnapshot.objects.get()
    assert first["Location"] == reverse("reports:snapshot", args=[snapshot.pk])
    assert (snapshot.period_start, snapshot.period_end, snapshot.as_of) == (
        dt.date(2026, 4, 1),
        dt.date(2027, 3, 31),
        dt.date(2026, 11, 29),
    )
    rows = snapshot.tables[0]["rows"]
    # The 3 and its partner are kept withheld: the snapshot holds what was published, no more.
    assert [c["text"] for r in rows for c in r["cells"]] == ["40", "＊", "＊", "68"]
    assert 3 not in [c["value"] for r in rows for c in r["cells"]]

    figures["counts"] = (41, 9, 30)  # the data moves on
    shown = client.get(first["Location"]).content.decode()
    assert "＊" in shown and "68" in shown and "80" not in shown
    listing = client.get(reverse("reports:snapshots", args=[meeting.pk])).content.decode()
    assert snapshot.title in listing
    assert (
        reverse("reports:snapshots", args=[meeting.pk])
        in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_who_may_read_and_attach(council, figures):
    secretariat, meeting = council
    attach(client_for(secretariat), meeting, uuid.uuid4())
    snapshot = ReportSnapshot.objects.get()
    attendee = make_user("s-sv", "merkmal", Role.SUPERVISOR)  # メルクマール attends the council
    outsider = make_user("s-out", "anshin-kyodo", Role.SUPERVISOR)
    assert client_for(attendee).get(reverse("reports:snapshot", args=[snapshot.pk])).status_code == 200
    assert client_for(outsider).get(reverse("reports:snapshot", args=[snapshot.pk])).status_code == 404
    assert client_for(outsider).get(reverse("reports:snapshots", args=[meeting.pk])).status_code == 404
    assert client_for(attendee).get(reverse("reports:snapshot", args=[snapshot.pk + 1000])).status_code == 404
    # Only the secretariat attaches, and only to a council.
    merkmal = Agency.objects.get(code="merkmal")
    refused = attach(client_for(attendee), meeting, uuid.uuid4(), scope=f"agency-{merkmal.pk}")
    assert refused.status_code in (403, 404)
    case_meeting = Meeting.objects.create(
        kind="case_conference",
        title="ケース会議",
        held_at=NOW,
        organiser=Agency.objects.get(code="ward-seikatsu-fukushi"),
    )
    assert attach(client_for(secretariat), case_meeting, uuid.uuid4()).status_code == 302
    assert ReportSnapshot.objects.count() == 1  # refused with a message, nothing written
