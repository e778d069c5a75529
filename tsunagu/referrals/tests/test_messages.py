"""Issue 8 (11): a question or reply on a referral posted again (22 clicks, a resubmission after
the back button) is one message: the form carries a submission key (create_once)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.referrals.models import Referral, ReferralEvent
from tsunagu.referrals.tests.helpers import send

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_same_message_posted_22_times_is_one_message(world, lead_worker, outsider):
    assert send(client_for(lead_worker), world).status_code == 302
    referral = Referral.objects.get()
    url = reverse("referrals:message", kwargs={"pk": referral.pk})
    page = client_for(outsider).get(reverse("referrals:detail", kwargs={"pk": referral.pk}))
    assert 'name="submission_key"' in page.content.decode().split('id="message"')[1].split("</form>")[0]
    form = {"submission_key": str(uuid.uuid4()), "text": "お母さまの連絡先を教えてください。"}
    client = client_for(outsider)
    statuses = {client.post(url, form).status_code for _ in range(22)}
    assert statuses == {302}
    assert list(referral.events.filter(kind="question").values_list("text", flat=True)) == [form["text"]]
    assert AccessEvent.objects.filter(object_type="referral", reason="question").count() == 1
    # the sender's reply, clicked twice, is also one; a new message (a new key) is another
    reply = {"submission_key": str(uuid.uuid4()), "text": "03-0000-0000（日中）です。"}
    sender = client_for(lead_worker)
    assert sender.post(url, reply).status_code == 302 and sender.post(url, reply).status_code == 302
    assert client.post(url, {**form, "submission_key": str(uuid.uuid4())}).status_code == 302
    kinds = list(ReferralEvent.objects.filter(referral=referral).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["sent", "question", "reply", "question"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_message_without_a_submission_key_is_refused_and_nothing_written(world, lead_worker, outsider):
    assert send(client_for(lead_worker), world).status_code == 302
    referral = Referral.objects.get()
    response = client_for(outsider).post(
        reverse("referrals:message", kwargs={"pk": referral.pk}), {"text": "お母さまの連絡先を教えてください。"}
    )
    assert response.status_code == 400
    assert not ReferralEvent.objects.filter(kind="question").exists()
