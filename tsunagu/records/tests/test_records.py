"""Progress records: quick entry, field errors (R4), one record per submission (R3), corrections
that keep the earlier text (R2 for concurrent corrections)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tsunagu.cases.models import TimelineEntry
from tsunagu.core.tests.forms import assert_refused
from tsunagu.core.tests.personas import client_for
from tsunagu.records.models import ProgressRecord, ProgressRecordRevision

NOW = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)


def visit(world, **overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "occurred_on": "令和8年11月27日",
        "method": "home_visit",
        "persons": [world.person.pk],
        "reached": "no",
        "summary": "訪問したがインターホンに応答なし。母親と玄関で5分話した。",
        "next_action": "来週もう一度訪問",
        "next_action_on": "R8.12.4",
        **overrides,
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_caseworker_records_an_unanswered_home_visit(world, lead_worker):
    url = reverse("records:create", kwargs={"case_pk": world.case.pk})
    page = client_for(lead_worker).get(url)
    assert page.context["form"]["persons"].value() == [world.person.pk]  # the person of concern is preselected
    response = client_for(lead_worker).post(url, visit(world))
    assert response.status_code == 302
    record = ProgressRecord.objects.latest("pk")
    assert (record.method, record.reached, str(record.next_action_on)) == ("home_visit", False, "2026-12-04")
    assert list(record.persons.all()) == [world.person]
    entry = TimelineEntry.objects.filter(case=world.case, object_id=record.pk).get()
    assert entry.kind == "record"
    assert entry.summary.startswith("訪問（会えず）")
    assert timezone.localtime(entry.at).date() == dt.date(2026, 11, 27)  # the day of the visit, not of typing


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"occurred_on": "令和8年12月1日"}, "occurred_on", "未来の日付"),
        ({"occurred_on": "令和8年2月30日"}, "occurred_on", "2月30日という日付はありません"),
        ({"occurred_on": ""}, "occurred_on", "このフィールドは必須です"),
        ({"persons": []}, "persons", "このフィールドは必須です"),
        ({"method": "telepathy"}, "method", "正しく選択"),
        ({"summary": ""}, "summary", "このフィールドは必須です"),
        ({"summary": "あ" * 4001}, "summary", "4000 文字以下"),
        ({"next_action": "電話する📞"}, "next_action", "絵文字"),
        ({"next_action_on": "令和8年11月1日"}, "next_action_on", "記録の日付より前"),
    ],
)
def test_bad_record_input_is_answered_on_the_field(world, lead_worker, data, field, message):
    assert_refused(
        client_for(lead_worker),
        reverse("records:create", kwargs={"case_pk": world.case.pk}),
        visit(world, **data),
        field=field,
        message=message,
        unchanged=(ProgressRecord, TimelineEntry),
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_person_of_another_household_cannot_be_slipped_into_a_record(world, lead_worker):
    assert_refused(
        client_for(lead_worker),
        reverse("records:create", kwargs={"case_pk": world.case.pk}),
        visit(world, persons=[world.other_person.pk]),
        field="persons",
        message="正しく選択",
        unchanged=(ProgressRecord,),
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_double_submission_records_once(world, lead_worker):
    client = client_for(lead_worker)
    url = reverse("records:create", kwargs={"case_pk": world.case.pk})
    data = visit(world)
    before = ProgressRecord.objects.count()
    client.post(url, data)
    client.post(url, data)
    assert ProgressRecord.objects.count() == before + 1


def correction(client, record, **overrides):
    form = client.get(reverse("records:correct", kwargs={"pk": record.pk})).context["form"]
    data = {
        "version": form.initial["version"],
        "occurred_on": form.fields["occurred_on"].prepare_value(form.initial["occurred_on"]),
        "method": form.initial["method"],
        "persons": form.initial["persons"],
        "reached": form.initial["reached"],
        "summary": form.initial["summary"],
        "next_action": form.initial["next_action"],
        "reason": "訪問先の記載誤り",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_a_correction_keeps_the_earlier_text_and_who_corrected_it(world, lead_worker):
    client = client_for(lead_worker)
    url = reverse("records:correct", kwargs={"pk": world.record.pk})
    response = client.post(
        url, correction(client, world.record, summary="訪問し、本人と1分だけ話せた。", reached="yes")
    )
    assert response.status_code == 302
    world.record.refresh_from_db()
    assert (world.record.summary, world.record.reached, world.record.version) == (
        "訪問し、本人と1分だけ話せた。",
        True,
        2,
    )
    revision = ProgressRecordRevision.objects.get(record=world.record)
    assert revision.snapshot["summary"] == "訪問したが応答なし。手紙を置いてきた。"
    assert (revision.reason, revision.corrected_by) == ("訪問先の記載誤り", lead_worker)
    page = client.get(reverse("records:detail", kwargs={"pk": world.record.pk})).content.decode()
    assert "訂正の履歴" in page and "訪問したが応答なし" in page


@pytest.mark.django_db
def test_a_correction_needs_a_reason(world, lead_worker):
    client = client_for(lead_worker)
    response = client.post(
        reverse("records:correct", kwargs={"pk": world.record.pk}), correction(client, world.record, reason="")
    )
    assert response.status_code == 400
    assert not ProgressRecordRevision.objects.exists()


@pytest.mark.django_db
def test_two_corrections_of_one_version_the_second_is_told(world, lead_worker, users):
    first, second = client_for(lead_worker), client_for(users["supervisor"])
    data_first, data_second = correction(first, world.record), correction(second, world.record)
    url = reverse("records:correct", kwargs={"pk": world.record.pk})
    assert first.post(url, {**data_first, "summary": "一人目の訂正"}).status_code == 302
    response = second.post(url, {**data_second, "summary": "二人目の訂正"})
    assert response.status_code == 409
    assert response.context["form"]["summary"].value() == "二人目の訂正"
    world.record.refresh_from_db()
    assert world.record.summary == "一人目の訂正"
    assert ProgressRecordRevision.objects.count() == 1


def test_records_cannot_be_deleted_through_any_url():
    from django.urls import get_resolver

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not [name for name in names if "delete" in name]
