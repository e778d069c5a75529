"""Every page that shows a name shows a hostile one as text only (issue 8, defect 2).

The world's person, household, consultation contact, meeting and referral carry invented attack
strings (``core/tests/hostile.py``): quotes closing an attribute, htmx attributes that would post
in the viewer's name, ``<``/``>``/``&``, template braces, ``</svg>``. Each page is parsed and must
have no element with an attribute that a name created, and must show the names as text.
"""

import datetime as dt
import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tsunagu.assessments.tests.test_views import post_new
from tsunagu.core.tests.hostile import (
    HOSTILE_FAMILY,
    HOSTILE_FULL,
    HOSTILE_GIVEN,
    HOSTILE_HOUSEHOLD_LABEL,
    HOSTILE_PERSON_LABEL,
    injected_attributes,
    parse,
    shown_as_text,
)
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import add_case, add_decision, create_meeting
from tsunagu.people.models import Household, Person
from tsunagu.people.services import HouseholdData, PersonData, household_update, person_update
from tsunagu.referrals.models import Referral
from tsunagu.referrals.tests.helpers import send

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
HOSTILE_TITLE = '" hx-post="/staff/cases/1/team/2/end/" hx-trigger="load" x="</svg>{{ 1 }}&amp;'


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hostile(frozen, world, users):
    """The world with hostile names everywhere a name or a label is shown."""
    desk, lead_worker = users["desk"], users["lead_worker"]
    person = person_update(
        user=desk,
        person=world.person,
        expected_version=world.person.version,
        data=replace(
            PersonData.of(world.person),
            family_name=HOSTILE_FAMILY,
            given_name=HOSTILE_GIVEN,
            label=HOSTILE_PERSON_LABEL,
        ),
    )
    household_update(
        user=desk,
        household=world.household,
        expected_version=world.household.version,
        data=replace(HouseholdData.of(world.household), label=HOSTILE_HOUSEHOLD_LABEL),
    )
    world.person = Person.objects.get(pk=person.pk)
    world.household = Household.objects.get(pk=world.household.pk)
    # The waiting consultation names the hostile person's household, as a repeat caller would.
    type(world.waiting).objects.filter(pk=world.waiting.pk).update(
        contact_name=HOSTILE_FULL[:60], household=world.household
    )
    client = client_for(lead_worker)
    post_new(client, world, assessed_on="令和8年6月1日", q_going_out="8", q_support_stage="1")
    post_new(client, world, assessed_on="令和8年11月1日", q_going_out="6", q_support_stage="2")
    assert send(client, world, reason=HOSTILE_TITLE[:300]).status_code == 302
    assert create_meeting(client, title=HOSTILE_TITLE).status_code == 302
    meeting = Meeting.objects.get()
    assert add_case(client, meeting, world.case).status_code == 302
    owner = users["lead_worker"]
    assert add_decision(
        client, meeting, text=HOSTILE_TITLE, case=world.case.pk, owner=owner.pk, due_on="令和8年12月10日"
    )
    return world


SEARCH_YAMADA = "#search:q=ヤマダ"


def pages(w):
    """(persona, url) for every page that shows the hostile person, household or titles."""
    referral = Referral.objects.get()
    meeting = Meeting.objects.get()
    assessment = w.case.assessments.filter(status="complete").first()
    lead = "lead_worker"
    return [
        (lead, reverse("people:household_detail", kwargs={"pk": w.household.pk})),
        (lead, reverse("people:household_edit", kwargs={"pk": w.household.pk})),
        (lead, reverse("people:person_detail", kwargs={"pk": w.person.pk})),
        (lead, reverse("people:person_edit", kwargs={"pk": w.person.pk})),
        (lead, reverse("people:person_create", kwargs={"household_pk": w.household.pk})),
        (lead, reverse("people:search") + SEARCH_YAMADA),
        ("desk", reverse("people:search") + SEARCH_YAMADA),
        (lead, reverse("cases:list")),
        (lead, reverse("cases:detail", kwargs={"pk": w.case.pk})),
        (lead, reverse("cases:detail", kwargs={"pk": w.case.pk}) + "?print=1"),
        ("desk", reverse("cases:detail", kwargs={"pk": w.case.pk})),
        (lead, reverse("work:my_work")),
        ("supervisor", reverse("work:my_work") + "?scope=agency"),
        (lead, reverse("cases:team", kwargs={"pk": w.case.pk})),
        (lead, reverse("cases:consents", kwargs={"pk": w.case.pk})),
        (lead, reverse("cases:lead_worker", kwargs={"pk": w.case.pk})),
        (lead, reverse("cases:status", kwargs={"pk": w.case.pk})),
        (lead, reverse("cases:stage", kwargs={"pk": w.case.pk, "person_pk": w.person.pk})),
        (lead, reverse("assessments:history", kwargs={"person_pk": w.person.pk})),
        (lead, reverse("assessments:detail", kwargs={"pk": assessment.pk})),
        (lead, reverse("assessments:detail", kwargs={"pk": w.assessment.pk})),
        (lead, reverse("assessments:edit", kwargs={"pk": w.assessment.pk})),
        (lead, reverse("assessments:person_new", kwargs={"case_pk": w.case.pk, "person_pk": w.person.pk})),
        (lead, reverse("plans:detail", kwargs={"pk": w.plan.pk})),
        (lead, reverse("plans:edit", kwargs={"pk": w.plan.pk})),
        (lead, reverse("plans:new", kwargs={"case_pk": w.case.pk})),
        (lead, reverse("records:detail", kwargs={"pk": w.record.pk})),
        (lead, reverse("records:create", kwargs={"case_pk": w.case.pk})),
        (lead, reverse("records:correct", kwargs={"pk": w.record.pk})),
        (lead, reverse("intake:detail", kwargs={"pk": w.consultation.pk})),
        ("desk", reverse("intake:detail", kwargs={"pk": w.consultation.pk})),
        ("desk", reverse("intake:detail", kwargs={"pk": w.waiting.pk})),
        ("desk", reverse("intake:queue")),
        ("desk", reverse("intake:queue") + "?show=all"),
        ("desk", reverse("intake:triage", kwargs={"pk": w.waiting.pk}) + f"?person={w.person.pk}"),
        ("desk", reverse("intake:triage", kwargs={"pk": w.waiting.pk}) + f"?household={w.household.pk}"),
        ("desk", reverse("intake:edit", kwargs={"pk": w.waiting.pk})),
        (lead, reverse("referrals:inbox")),
        (lead, reverse("referrals:detail", kwargs={"pk": referral.pk})),
        (lead, reverse("referrals:new", kwargs={"case_pk": w.case.pk})),
        ("outsider", reverse("referrals:inbox")),
        ("outsider", reverse("referrals:detail", kwargs={"pk": referral.pk})),
        (lead, reverse("meetings:list")),
        (lead, reverse("meetings:detail", kwargs={"pk": meeting.pk})),
        (lead, reverse("meetings:edit", kwargs={"pk": meeting.pk})),
        ("outsider", reverse("meetings:detail", kwargs={"pk": meeting.pk})),
        (lead, reverse("work:home")),
    ]


PAGE_COUNT = 47


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(PAGE_COUNT))
def test_a_hostile_name_is_only_ever_text(hostile, users, index):
    listed = pages(hostile)
    assert len(listed) == PAGE_COUNT
    persona, url = listed[index]
    with time_machine.travel(NOW, tick=False):
        client = client_for(users[persona])
        # The person search is sent by POST (decision 0028): its "URL" here names the criteria.
        path, searched, _term = url.partition(SEARCH_YAMADA)
        response = client.post(path, {"q": "ヤマダ"}) if searched else client.get(url)
    assert response.status_code == 200, (persona, url)
    html = response.content.decode()
    assert injected_attributes(html) == [], (persona, url)
    # Unescaped, the strings would open attributes or elements; escaped, they are visible text.
    for raw in (HOSTILE_FAMILY, HOSTILE_PERSON_LABEL, HOSTILE_HOUSEHOLD_LABEL, "</svg>{{ 1 }}"):
        assert raw not in html, (persona, url, raw)


@pytest.mark.django_db
def test_the_names_are_shown_as_the_user_typed_them(hostile, users):
    client = client_for(users["lead_worker"])
    with time_machine.travel(NOW, tick=False):
        person = client.get(reverse("people:person_detail", kwargs={"pk": hostile.person.pk})).content.decode()
        household = client.get(reverse("people:household_detail", kwargs={"pk": hostile.household.pk})).content.decode()
        chart = client.get(reverse("assessments:history", kwargs={"person_pk": hostile.person.pk})).content.decode()
    assert shown_as_text(person, HOSTILE_FULL) == []
    assert shown_as_text(household, HOSTILE_HOUSEHOLD_LABEL) == []
    assert shown_as_text(chart, f"{HOSTILE_FULL} のアセスメントの推移") == []


@pytest.mark.django_db
def test_htmx_runs_with_its_safety_settings_on_every_page(world, users):
    html = client_for(users["desk"]).get(reverse("intake:queue")).content.decode()
    meta = next(dict(a) for tag, a in parse(html).elements if tag == "meta" and dict(a).get("name") == "htmx-config")
    config = json.loads(meta["content"])
    assert config["selfRequestsOnly"] is True
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0
    assert config["refreshOnHistoryMiss"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "name", "htmx_page"),
    [
        ("lead_worker", "people:person_detail", False),
        ("desk", "intake:queue", True),
        ("desk", "people:search", True),
        ("lead_worker", "cases:detail", False),
    ],
)
def test_htmx_is_off_in_main_unless_the_page_uses_it(world, users, persona, name, htmx_page):
    kwargs = {"pk": world.person.pk} if name == "people:person_detail" else {}
    if name == "cases:detail":
        kwargs = {"pk": world.case.pk}
    html = client_for(users[persona]).get(reverse(name, kwargs=kwargs)).content.decode()
    main = next(dict(a) for tag, a in parse(html).elements if tag == "main")
    assert ("hx-disable" in main) is not htmx_page


@pytest.mark.django_db
def test_template_comments_do_not_leak_into_pages(world, users):
    html = client_for(users["desk"]).get(reverse("intake:queue")).content.decode()
    assert "{#" not in html and "{%" not in html


def test_the_hostile_names_fit_their_fields():
    assert len(HOSTILE_FAMILY) <= 40 and len(HOSTILE_GIVEN) <= 40
    assert len(HOSTILE_PERSON_LABEL) <= 60 and len(HOSTILE_HOUSEHOLD_LABEL) <= 60
