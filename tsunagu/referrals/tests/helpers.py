"""Sending and answering referrals through the pages, as staff do."""

import uuid

from django.urls import reverse

from tsunagu.agencies.models import Agency


def agency(code):
    return Agency.objects.get(code=code)


def send(client, world, to="anshin-kyodo", **data):
    """POST the referral form of ``world.case`` (sent by メルクマール, the lead) and return the response."""
    form = {
        "submission_key": str(uuid.uuid4()),
        "from_agency": agency("merkmal").pk,
        "agency": agency(to).pk,
        "person": world.person.pk,
        "reason": "母親の介護の相談から、同居の息子のひきこもりが分かった",
        "summary": "30代の長男。日中は自室にいる。母親は本人に会ってほしいと希望。",
        "basis": "meeting_art9",
        "basis_note": "",
        "consent": "",
    }
    form.update(data)
    return client.post(reverse("referrals:new", kwargs={"case_pk": world.case.pk}), form)


def answer(client, referral, **data):
    form = {"version": referral.version, "answer": "accept", "decline_reason": "", "comment": ""}
    form.update(data)
    return client.post(reverse("referrals:answer", kwargs={"pk": referral.pk}), form)
