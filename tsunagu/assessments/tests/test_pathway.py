"""The 「きっかけ」 answer kept beside the answers (``Assessment.pathway``) for the survey's index-only
probe (docs/quality.md P4): written by every path that writes answers, and the same as what the
migration filled in from the answers."""

import datetime as dt
import json

import pytest
import time_machine
from django.db.models import Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.urls import reverse

from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import answer_text, current_instrument
from tsunagu.assessments.tests.test_views import all_unknown, post_new
from tsunagu.core.tests.personas import client_for
from tsunagu.reports.period import WARD, Scope
from tsunagu.reports.survey import survey_counts

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # 10:00 in Tokyo


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def parsed(text):
    return json.loads(text) if text.startswith("[") else text


def test_answer_text_is_what_the_json_operator_gives():
    assert answer_text(None) == ""
    assert answer_text("unknown") == "unknown"
    assert json.loads(answer_text(["school", "illness"])) == ["school", "illness"]
    assert answer_text(["病気"]) == '["病気"]'  # not escaped: the same text as the database's
    assert answer_text(3) == "3"


@pytest.mark.django_db
def test_completing_and_continuing_a_sheet_keep_the_pathway(world, lead_worker):
    client = client_for(lead_worker)
    assert post_new(client, world, q_pathway=["school", "illness"]).status_code == 302
    complete = Assessment.objects.latest("pk")
    assert json.loads(complete.pathway) == ["school", "illness"]
    # The survey counts the person known by the sheet's stage and pathway, read from the column.
    counts = survey_counts(dt.date(2026, 11, 30), Scope(WARD))
    summaries = [row["summary"] for row in counts["assessed"] if row["summary"]]
    assert any(set(json.loads(s.partition("|")[2])) == {"school", "illness"} for s in summaries)


@pytest.mark.django_db
def test_a_draft_completed_later_gets_its_pathway(world, lead_worker):
    client = client_for(lead_worker)
    assert post_new(client, world, status="draft", q_pathway=["care"]).status_code == 302
    draft = Assessment.objects.latest("pk")
    assert json.loads(draft.pathway) == ["care"]
    data = {**all_unknown(), "assessed_on": "R8.11.20", "status": "complete", "version": draft.version}
    data.pop("u_pathway", None)
    data["q_pathway"] = ["care", "other"]
    assert client.post(reverse("assessments:edit", kwargs={"pk": draft.pk}), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "complete"
    assert json.loads(draft.pathway) == ["care", "other"]


@pytest.mark.django_db
def test_the_migrations_fill_gives_what_the_services_write(world, lead_worker):
    instrument = current_instrument("person")
    cases = [["school", "other"], ["病気"], "unknown", None]
    made = []
    for answer in cases:
        answers = {"going_out": "3"} if answer is None else {"pathway": answer}
        made.append(
            Assessment.objects.create(
                case=world.case,
                person=world.person,
                instrument=instrument,
                target="person",
                status="complete",
                assessed_on=dt.date(2026, 11, 1),
                assessed_by=lead_worker,
                answers=answers,
            )
        )
    # The migration's statement (0002_pathway_for_the_survey.fill_pathway), on this database.
    Assessment.objects.filter(pk__in=[a.pk for a in made]).update(
        pathway=Coalesce(KeyTextTransform("pathway", "answers"), Value(""))
    )
    for assessment, answer in zip(made, cases, strict=True):
        assessment.refresh_from_db()
        assert parsed(assessment.pathway) == parsed(answer_text(answer))
