import uuid

from django.urls import reverse

from tsunagu.agencies.models import Agency


def create_meeting(
    client, kind="support_art9", agencies=("merkmal", "anshin-kyodo"), organiser="merkmal", raw=None, **data
):
    """POST the new-meeting form; ``raw`` overrides fields with values posted as they are."""
    form = {
        "submission_key": str(uuid.uuid4()),
        "kind": kind,
        "title": "池尻地区 支援会議",
        "held_on": "令和8年11月27日",
        "held_time": "14:00",
        "place": "池尻まちづくりセンター 会議室",
        "organiser": Agency.objects.get(code=organiser).pk,
        "agencies": [Agency.objects.get(code=code).pk for code in agencies],
        "other_attendees": "民生委員",
    }
    form.update(data)
    form.update(raw or {})
    return client.post(reverse("meetings:new"), form)


def add_case(client, meeting, case):
    return client.post(reverse("meetings:case_add", kwargs={"pk": meeting.pk}), {"case_number": case.number})


def add_decision(client, meeting, **data):
    form = {
        "submission_key": str(uuid.uuid4()),
        "text": "母親の入院に備え、本人への訪問を再開する",
        "case": "",
        "owner": "",
        "due_on": "",
    }
    form.update(data)
    return client.post(reverse("meetings:decision_add", kwargs={"pk": meeting.pk}), form)
