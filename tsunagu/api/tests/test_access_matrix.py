"""The access matrix of the API (issue 14): every endpoint × every scope, and every endpoint ×
the three systems (the case's team, the desk, an unrelated agency). The API asks the same doors
as the screens, so it answers what they answer: 404 for what the caller may not see, 403 only for
a missing scope (or a list its role may not use), and the same access events."""

import pytest
from django.urls import reverse

from tsunagu.api.scopes import Scope
from tsunagu.api.tests.conftest import Api, issue
from tsunagu.audit.models import AccessEvent, SecurityEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.core.tests.test_url_rules import api_patterns
from tsunagu.records.models import ProgressRecord
from tsunagu.referrals.models import Referral


def _consultation(_w, _r, _p):
    return {
        "received_at": "2026-11-20T10:00:00+09:00",
        "channel": "phone",
        "contact_type": "self",
        "concerns": ["withdrawal"],
        "main_concern": "withdrawal",
        "summary": "本人から電話。外に出られない。",
    }


def _record(world, _r, _p):
    return {
        "occurred_on": "2026-11-21",
        "method": "phone",
        "reached": True,
        "persons": [world.person.pk],
        "summary": "電話で話せた。",
    }


def _referral_body(_w, _r, _p):
    from tsunagu.agencies.models import Agency

    return {
        "from_agency": Agency.objects.get(code="merkmal").pk,
        "agency": Agency.objects.get(code="kyoiku-iinkai").pk,
        "reason": "学習支援",
        "summary": "学び直しの相談。",
        "basis": "meeting_art9",
    }


def _answer(_w, referral, _p):
    return {"version": referral.version, "answer": "decline", "decline_reason": "no_capacity", "comment": "定員です。"}


# name: (method, path, scope, body, the system that may use it, its status)
ENDPOINTS = {
    "consultations": ("post", lambda w, r, p: "/api/v1/consultations/", Scope.CONSULTATIONS_WRITE, _consultation),
    "persons": ("get", lambda w, r, p: "/api/v1/persons/?q=山田", Scope.PERSONS_READ, None),
    "case": ("get", lambda w, r, p: f"/api/v1/cases/{w.case.pk}/", Scope.CASES_READ, None),
    "case_details": ("get", lambda w, r, p: f"/api/v1/cases/{w.case.pk}/details/", Scope.CASES_READ, None),
    "case_records": ("post", lambda w, r, p: f"/api/v1/cases/{w.case.pk}/records/", Scope.RECORDS_WRITE, _record),
    "case_referrals": (
        "post",
        lambda w, r, p: f"/api/v1/cases/{w.case.pk}/referrals/",
        Scope.REFERRALS_WRITE,
        _referral_body,
    ),
    "referrals": ("get", lambda w, r, p: "/api/v1/referrals/", Scope.REFERRALS_READ, None),
    "referral": ("get", lambda w, r, p: f"/api/v1/referrals/{r.pk}/", Scope.REFERRALS_READ, None),
    "referral_answer": ("post", lambda w, r, p: f"/api/v1/referrals/{r.pk}/answer/", Scope.REFERRALS_WRITE, _answer),
    "places": ("get", lambda w, r, p: "/api/v1/places/", Scope.PLACES_READ, None),
    "place": ("get", lambda w, r, p: f"/api/v1/places/{p.pk}/", Scope.PLACES_READ, None),
    "events": ("get", lambda w, r, p: "/api/v1/events/", Scope.PLACES_READ, None),
}

# What each system gets from each endpoint (with every scope its role may hold). The desk's
# system may not be given records or referral scopes it could not use? It may: the desk works
# cases (CASE_ROLES); it is refused by the case door (summary only, no team) with 404.
EXPECTED = {
    "merkmal": {
        "persons": 200,
        "case": 200,
        "case_details": 200,
        "case_records": 201,
        "case_referrals": 201,
        "referrals": 200,
        "referral": 200,
        "referral_answer": 404,  # the sender does not answer its own referral
        "places": 200,
        "place": 200,
        "events": 200,
    },
    "link": {
        "consultations": 201,
        "persons": 200,
        "case": 200,  # the coordination summary
        "case_details": 404,  # not on the team
        "case_records": 404,
        "case_referrals": 404,
        "referrals": 200,
        "referral": 200,  # the receiver
        "referral_answer": 200,
        "places": 200,
        "place": 200,
        "events": 200,
    },
    "outsider": {
        "persons": 200,
        "case": 404,
        "case_details": 404,
        "case_records": 404,
        "case_referrals": 404,
        "referrals": 200,
        "referral": 404,
        "referral_answer": 404,
        "places": 200,
        "place": 200,
        "events": 200,
    },
}
USER_OF_ENDPOINT = {name: ("link" if name in ("consultations", "referral_answer") else "merkmal") for name in ENDPOINTS}


def _call(api: Api, name: str, world, referral, place):
    method, path, _scope, body = ENDPOINTS[name]
    url = path(world, referral, place)
    if method == "get":
        return api.get(url)
    return api.post(url, body(world, referral, place))


def test_the_matrix_names_every_endpoint():
    names = {pattern.name for _route, pattern, _ns in api_patterns()} - {"not_found"}
    assert set(ENDPOINTS) == names
    for system in EXPECTED.values():
        assert set(system) <= names


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_endpoint_needs_its_scope_and_only_its_scope(name, world, referral, place, users, accounts):
    """Every other scope together is refused (403) and writes nothing; the one scope opens it."""
    _method, _path, scope, _body = ENDPOINTS[name]
    account = accounts[USER_OF_ENDPOINT[name]]
    role = account.memberships.get().role
    from tsunagu.api.scopes import SCOPE_ROLES

    others = [s for s in Scope.values if s != scope and role in SCOPE_ROLES[s]]
    records, referrals, events = ProgressRecord.objects.count(), Referral.objects.count(), AccessEvent.objects.count()
    refused = _call(Api(issue(users["admin_user"], account, scopes=others)), name, world, referral, place)
    assert refused.status_code == 403, refused.content
    assert refused.json()["detail"]
    assert (ProgressRecord.objects.count(), Referral.objects.count(), AccessEvent.objects.count()) == (
        records,
        referrals,
        events,
    )
    allowed = _call(Api(issue(users["admin_user"], account, scopes=[scope])), name, world, referral, place)
    assert allowed.status_code == EXPECTED[USER_OF_ENDPOINT[name]][name], allowed.content


@pytest.mark.django_db
@pytest.mark.parametrize("system", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_system_gets_what_the_doors_give_it(system, name, world, referral, place, api):
    if name not in EXPECTED[system]:
        pytest.skip("a scope this system's role is never issued (consultations: the desk only)")
    response = _call(api[system], name, world, referral, place)
    assert response.status_code == EXPECTED[system][name], response.content
    if response.status_code == 404:
        assert response.json() == {"detail": "見つかりません。"}


@pytest.mark.django_db
def test_the_outsider_sees_no_person_and_no_referral(world, referral, api):
    assert api["outsider"].get("/api/v1/persons/", {"q": "山田"}).json()["persons"] == []
    listed = api["outsider"].get("/api/v1/referrals/").json()
    assert listed["received"] == [] and listed["sent"] == []
    assert [p["id"] for p in api["link"].get("/api/v1/persons/", {"q": "山田"}).json()["persons"]] == [world.person.pk]
    assert [r["id"] for r in api["link"].get("/api/v1/referrals/").json()["received"]] == [referral.pk]


@pytest.mark.django_db
def test_summary_and_details_follow_the_case_levels(world, api):
    """docs/access.md: the desk off the team sees the coordination summary, the team the details."""
    summary = api["link"].get(f"/api/v1/cases/{world.case.pk}/").json()
    assert (summary["level"], summary["basis"]) == ("summary", "desk")
    assert "members" not in summary and "records" not in summary
    assert [m["agency"] for m in summary["team"]] == ["メルクマールせたがや"]
    full = api["merkmal"].get(f"/api/v1/cases/{world.case.pk}/details/").json()
    assert (full["level"], full["basis"]) == ("full", "team")
    assert [m["id"] for m in full["members"]] == [world.person.pk]
    assert [r["id"] for r in full["records"]] == [world.record.pk]
    assert [p["id"] for p in full["plans"]] == [world.plan.pk]
    # The desk leads the other case: its details are the desk's.
    assert api["link"].get(f"/api/v1/cases/{world.other_case.pk}/details/").status_code == 200


@pytest.mark.django_db
def test_a_hidden_case_and_a_missing_one_answer_the_same_bytes(world, api):
    hidden = api["outsider"].get(f"/api/v1/cases/{world.case.pk}/")
    missing = api["outsider"].get("/api/v1/cases/999999/")
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden.status_code == 404


@pytest.mark.django_db
def test_a_read_writes_the_same_access_event_as_the_screen(world, api, lead_worker, accounts):
    assert client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 200
    screen = AccessEvent.objects.filter(user=lead_worker, object_type="case").latest("id")
    assert api["merkmal"].get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    token = AccessEvent.objects.filter(user=accounts["merkmal"], object_type="case").latest("id")
    fields = ("action", "object_type", "object_ids", "person_ids", "case_id", "basis", "reason")
    assert [getattr(token, f) for f in fields] == [getattr(screen, f) for f in fields]
    assert token.path == f"/api/v1/cases/{world.case.pk}/"


@pytest.mark.django_db
def test_details_record_the_records_they_show(world, api, accounts):
    api["merkmal"].get(f"/api/v1/cases/{world.case.pk}/details/")
    listed = AccessEvent.objects.get(user=accounts["merkmal"], object_type="record")
    assert (listed.action, listed.object_ids, listed.person_ids, listed.basis) == (
        "list",
        [world.record.pk],
        [world.person.pk],
        "team",
    )


@pytest.mark.django_db
def test_a_refused_call_leaves_no_access_event_and_a_security_event(world, api, accounts):
    before = AccessEvent.objects.count()
    assert api["link"].get(f"/api/v1/cases/{world.case.pk}/details/").status_code == 404
    assert AccessEvent.objects.count() == before  # the summary's read was rolled back with the refusal
    event = SecurityEvent.objects.get()
    assert (event.user, event.url_name, event.object_id, event.status) == (
        accounts["link"],
        "api:case_details",
        world.case.pk,
        404,
    )


@pytest.mark.django_db
def test_the_outsider_writes_nothing(world, referral, place, api):
    counts = (ProgressRecord.objects.count(), Referral.objects.count())
    for name in ("case_records", "case_referrals", "referral_answer"):
        assert _call(api["outsider"], name, world, referral, place).status_code == 404
    assert (ProgressRecord.objects.count(), Referral.objects.count()) == counts
    referral.refresh_from_db()
    assert referral.status == "requested"


@pytest.mark.django_db
def test_a_role_that_may_not_use_a_list_gets_403(world, users, accounts, api):
    """A token outlives a role change: the door asks the role at every call (as the screen)."""
    membership = accounts["link"].memberships.get()
    membership.role = "secretariat"
    membership.save()
    assert api["link"].get("/api/v1/persons/", {"q": "山田"}).status_code == 403
    assert api["link"].get(f"/api/v1/cases/{world.case.pk}/").status_code == 404
    assert api["link"].get("/api/v1/events/").status_code == 200


@pytest.mark.django_db
def test_head_needs_the_scope_of_get(world, users, accounts):
    from django.test import Client

    def head(scopes):
        token = issue(users["admin_user"], accounts["merkmal"], scopes=scopes)
        return Client().head(f"/api/v1/cases/{world.case.pk}/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code

    assert (head(["cases:read"]), head(["places:read"])) == (200, 403)
