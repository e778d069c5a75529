"""The benchmark's record save reads what to POST from the record form's HTML (``formparse.py``):
the form's own CSRF token and submission key, its defaults, the method and a summary."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.core.tests.personas import client_for
from tsunagu.demo.bench import formparse
from tsunagu.demo.bench.client import SUMMARY, is_saved
from tsunagu.records.models import ProgressRecord

NOW = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)

PAGE = """
<form method="post" action="/staff/logout/" class="logout">
  <input type="hidden" name="csrfmiddlewaretoken" value="layout-token"><button>out</button>
</form>
<form method="get" class="search"><input type="search" name="q" value=""></form>
<form method="post" novalidate class="form record-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="form-token">
  <input type="hidden" name="submission_key" value="0b4e&#x27;key" id="id_submission_key">
  <input type="text" name="occurred_on" value="令和8年11月27日" maxlength="30" required id="id_occurred_on">
  <input type="radio" name="method" value="phone" required id="id_method_0">
  <input type="radio" name="method" value="home_visit" required id="id_method_2">
  <input type="checkbox" name="persons" value="7" id="id_persons_0">
  <input type="checkbox" name="persons" value="8" id="id_persons_1" checked>
  <input type="radio" name="reached" value="yes" id="id_reached_0" checked>
  <input type="radio" name="reached" value="no" id="id_reached_1">
  <input type="text" name="disabled_one" value="x" disabled>
  <textarea name="summary"></textarea>
</form>
"""


def test_the_record_form_data_is_the_record_forms_own_defaults_with_a_visit():
    data = formparse.record_form_data(PAGE, "訪問した")
    assert data == {
        "csrfmiddlewaretoken": ["form-token"],  # the record form's, not the layout's sign-out form's
        "submission_key": ["0b4e'key"],  # unescaped
        "occurred_on": ["令和8年11月27日"],
        "persons": ["8"],  # only the checked one
        "reached": ["yes"],
        "method": ["home_visit"],
        "summary": ["訪問した"],
    }
    assert "persons=8" in formparse.encode(data) and "q=" not in formparse.encode(data)


def test_with_no_person_checked_the_first_offered_is_sent():
    page = PAGE.replace('id="id_persons_1" checked', 'id="id_persons_1"')
    assert formparse.record_form_data(page, "x")["persons"] == ["7"]


@pytest.mark.parametrize("missing", ["submission_key", "csrfmiddlewaretoken"])
def test_a_form_without_its_token_or_key_is_refused(missing):
    page = PAGE.replace(f'name="{missing}" value="', f'name="{missing}" value="" data-was="')
    with pytest.raises(ValueError, match=missing):
        formparse.record_form_data(page, "x")
    with pytest.raises(ValueError, match="record-form"):
        formparse.record_form_data("<form class='other'></form>", "x")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_real_record_form_parsed_saves_one_record_and_its_replay_none(world, lead_worker):
    client = client_for(lead_worker)
    url = reverse("records:create", kwargs={"case_pk": world.case.pk})
    body = formparse.encode(formparse.record_form_data(client.get(url).content.decode(), SUMMARY))
    before = ProgressRecord.objects.count()

    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert is_saved(response.status_code, response.headers)
    record = ProgressRecord.objects.latest("pk")
    assert ProgressRecord.objects.count() == before + 1
    assert (record.method, record.reached, record.summary) == ("home_visit", True, SUMMARY)
    assert str(record.occurred_on) == "2026-11-27" and list(record.persons.all()) == [world.person]

    # The same POST again (a double click): the same redirect, no second record.
    again = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert is_saved(again.status_code, again.headers)
    assert ProgressRecord.objects.count() == before + 1


def test_only_the_redirect_to_the_timeline_is_a_save():
    assert is_saved(302, {"Location": "/staff/cases/5/#timeline"})
    assert not is_saved(200, {})
    assert not is_saved(302, {"Location": "/staff/login/?next=/staff/records/cases/5/new/"})
