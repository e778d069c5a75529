"""Issue 8 #15: the conflict page of every versioned edit page shows both versions as the form
shows them (labels, display names, 和暦, はい/いいえ, lists joined with 「、」) and marks only the
fields that differ.

For each page: open the edit form, let "another person" change one field (a direct update that
bumps the version, as their save would), then send the form with one other field changed. The
answer is the conflict page (409) whose marked rows are exactly those two fields.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django import forms
from django.db.models import F
from django.urls import reverse

from tsunagu.agencies.models import Agency, District
from tsunagu.assessments.models import Assessment
from tsunagu.cases.models import Case
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import create_meeting
from tsunagu.people.models import Household, Person
from tsunagu.plans.models import SupportPlan
from tsunagu.records.models import ProgressRecord

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)
RAW = re.compile(r"\.None\b|\b\d{4}-\d{2}-\d{2}\b|^(True|False|None|yes|no)$|^[a-z][a-z_0-9]*$|^\[|^\d+$")


@dataclass
class Page:
    user: str
    url: str
    model: type
    pk: int
    theirs: dict[str, Any]  # the other person's change (model field → value)
    mine: dict[str, Any]  # my change (form field → posted value)
    changed: set[str]  # labels of the rows that must be marked
    shown: list[str] = field(default_factory=list)  # strings the table must show
    also: dict[str, Any] = field(default_factory=dict)  # further posted values (a correction reason)


def form_data(form: forms.Form) -> dict[str, Any]:
    """What the browser would send back for the form as it is shown."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            if not isinstance(bound.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = bound.field.widget.format_value(value) or ""
    return data


def household_page(world, users):
    other = District.objects.exclude(pk=world.household.district_id).first()
    return Page(
        "lead_worker",
        reverse("people:household_edit", kwargs={"pk": world.household.pk}),
        Household,
        world.household.pk,
        theirs={"district": other},
        mine={"sig_arrears": "on"},
        changed={"地区", "家賃・公共料金・税の滞納"},
        shown=[other.name, "はい", "いいえ"],
    )


def person_page(world, users):
    return Page(
        "lead_worker",
        reverse("people:person_edit", kwargs={"pk": world.person.pk}),
        Person,
        world.person.pk,
        theirs={"relation": "son", "withdrawal_since": dt.date(2006, 1, 1), "withdrawal_since_precision": "year"},
        mine={"given_name": "次郎"},
        changed={"世帯での続柄", "名", "ひきこもり状態になった時期（分かれば）"},
        shown=["息子", "平成2年5月10日", "平成18年ごろ", "次郎", "太郎"],
    )


def record_page(world, users):
    return Page(
        "lead_worker",
        reverse("records:correct", kwargs={"pk": world.record.pk}),
        ProgressRecord,
        world.record.pk,
        theirs={"method": "outreach"},
        mine={"reached": "yes"},
        changed={"方法", "本人・家族と会えた／話せた"},
        shown=["アウトリーチ", "訪問", "会えた・話せた", "会えなかった・応答なし", "令和8年11月20日", "山田 太郎"],
        also={"reason": "入力の誤り"},
    )


def status_page(world, users):
    return Page(
        "lead_worker",
        reverse("cases:status", kwargs={"pk": world.case.pk}),
        Case,
        world.case.pk,
        theirs={"follow_up_on": dt.date(2027, 1, 10)},
        mine={"status": "watching"},
        changed={"新しい状態", "フォローアップ予定日（任意）"},
        shown=["令和9年1月10日", "見守り"],
    )


def stage_page(world, users):
    return Page(
        "lead_worker",
        reverse("cases:stage", kwargs={"pk": world.case.pk, "person_pk": world.person.pk}),
        Person,
        world.person.pk,
        theirs={"support_stage": 2},
        mine={"stage": "3"},
        changed={"支援段階"},
        shown=["個人的支援段階", "中間的・過渡的な集団との再会段階"],
    )


def lead_worker_page(world, users):
    worker = users["lead_worker"]
    worker.last_name, worker.first_name = "支援", "一郎"
    worker.save()
    return Page(
        "lead_worker",
        reverse("cases:lead_worker", kwargs={"pk": world.case.pk}),
        Case,
        world.case.pk,
        theirs={"lead_worker": worker},
        mine={},
        changed={"主担当者"},
        shown=["支援 一郎"],
    )


def consultation_page(world, users):
    Consultation.objects.filter(pk=world.waiting.pk).update(received_at=NOW - dt.timedelta(hours=3))
    return Page(
        "desk",
        reverse("intake:edit", kwargs={"pk": world.waiting.pk}),
        Consultation,
        world.waiting.pk,
        theirs={"channel": "outreach"},
        mine={"urgent": "on"},
        changed={"相談の方法", "緊急（生命・健康の危険がある）"},
        shown=["アウトリーチ", "はい", "いいえ"],
    )


def meeting_page(world, users):
    with time_machine.travel(NOW, tick=False):
        assert create_meeting(client_for(users["lead_worker"])).status_code == 302
    meeting = Meeting.objects.latest("pk")
    return Page(
        "lead_worker",
        reverse("meetings:edit", kwargs={"pk": meeting.pk}),
        Meeting,
        meeting.pk,
        theirs={"place": "総合福祉センター"},
        mine={"agencies": [str(Agency.objects.get(code="merkmal").pk)]},
        changed={"場所", "出席機関"},
        shown=["令和8年11月27日", "14:00", "あんしんすこやかセンター経堂、メルクマールせたがや"],
    )


def plan_page(world, users):
    return Page(
        "lead_worker",
        reverse("plans:edit", kwargs={"pk": world.plan.pk}),
        SupportPlan,
        world.plan.pk,
        theirs={"review_on": dt.date(2027, 3, 31)},
        mine={"g0_text": "週に2回、居場所に通う"},
        changed={"見直し予定日", "目標1：目標"},
        shown=["令和9年3月31日", "令和9年2月28日", "本人", "山田 太郎", "取り組み中", "居場所に通う"],
    )


def assessment_page(world, users):
    answers = {**world.assessment.answers, "since": "2006"}
    return Page(
        "lead_worker",
        reverse("assessments:edit", kwargs={"pk": world.assessment.pk}),
        Assessment,
        world.assessment.pk,
        theirs={"answers": answers},
        mine={"q_going_out": "8"},
        changed={"ひきこもり状態になった時期", "外出の状況"},
        shown=["平成18年ごろ", "自室からは出るが、家からは出ない", "自室からほとんど出ない"],
    )


PAGES = [
    household_page,
    person_page,
    record_page,
    status_page,
    stage_page,
    lead_worker_page,
    consultation_page,
    meeting_page,
    plan_page,
    assessment_page,
]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("make", PAGES, ids=lambda make: make.__name__)
def test_the_conflict_page_shows_labels_and_marks_only_what_differs(world, users, make):
    page = make(world, users)
    client = client_for(users[page.user])
    opened = client.get(page.url)
    assert opened.status_code == 200
    data = form_data(opened.context["form"]) | page.also | page.mine
    page.model.objects.filter(pk=page.pk).update(**page.theirs, version=F("version") + 1)
    version = page.model.objects.get(pk=page.pk).version
    response = client.post(page.url, data)
    assert response.status_code == 409, response.context["form"].errors if response.context else response
    stored = page.model.objects.get(pk=page.pk)
    assert stored.version == version, "nothing was written"
    for name, value in page.theirs.items():
        assert getattr(stored, name) == value, f"the other person's {name} stands"
    rows = response.context["conflict"]
    assert rows, "the conflict page lists the fields"
    marked = {row["label"] for row in rows if row["changed"]}
    assert marked == page.changed, rows
    for row in rows:
        for side in ("theirs", "yours"):
            assert not RAW.search(row[side]), (row["label"], side, row[side])
    table = response.content.decode().split('class="conflict"', 1)[1].split("</table>", 1)[0]
    for text in page.shown:
        assert text in table, (text, rows)
    assert table.count('class="diff"') == len(marked)
