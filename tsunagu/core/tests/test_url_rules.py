"""S1: every URL needs login and a declared rule, except the public pages."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tsunagu.core.tests.personas import client_for

# Django's own admin guards itself (staff login) and holds only reference data and users.
FRAMEWORK_NAMESPACES = {"admin"}
SAMPLE_KWARGS = {
    "pk": 1,
    "household_pk": 1,
    "case_pk": 1,
    "person_pk": 1,
    "member_pk": 1,
    "consent_pk": 1,
    "hold_pk": 1,
}
# Slugs of the statistics pages (issue 13): a section of the report.
SAMPLE_SLUGS = {"section": "survey"}


def walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


def _rule(pattern):
    return getattr(pattern.callback, "access_rule", None)


def all_patterns():
    return [(route, p, ns) for route, p, ns in walk(get_resolver()) if ns not in FRAMEWORK_NAMESPACES]


def own_patterns():
    """The URLs of the screens. The API's endpoints (``access_rule == "api_token"``, decision 0037)
    take no session: they answer 401 without a token instead of sending anybody to the login page,
    and are walked by the tests below and by tsunagu/api/tests/test_access_matrix.py."""
    return [
        (route, p, ns) for route, p, ns in all_patterns() if getattr(p.callback, "access_rule", None) != "api_token"
    ]


def api_patterns():
    return [
        (route, p, ns) for route, p, ns in all_patterns() if getattr(p.callback, "access_rule", None) == "api_token"
    ]


def test_every_view_declares_an_access_rule():
    missing = [route for route, pattern, _ns in all_patterns() if not hasattr(pattern.callback, "access_rule")]
    assert missing == []


def test_token_endpoints_are_the_api_and_only_the_api():
    assert api_patterns()
    assert {ns for _route, _p, ns in api_patterns()} == {"api"}
    assert all(route.startswith("api/v1/") for route, _p, _ns in api_patterns())


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r, _p, _ns in api_patterns()])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", ["anonymous", "staff session", "bad token"])
def test_every_api_url_refuses_a_call_without_a_valid_token(route, method, who, users):
    """Deny by default: without a token (a signed-in staff session is no token) every method of
    every endpoint answers 401, before anything is looked up."""
    client = client_for(users["desk"] if who == "staff session" else None)
    headers = {"HTTP_AUTHORIZATION": "Bearer tsg_000000000000_nothing"} if who == "bad token" else {}
    response = getattr(client, method)(_url(route), **headers)
    assert response.status_code == 401, (route, method, who)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_only_the_public_pages_and_login_are_public():
    public = sorted(route for route, p, _ns in own_patterns() if p.callback.access_rule == "public")
    # The public directory and events of issue 12 (only what is marked public, never a person).
    directory = ["events.ics", "events/", "events/<int:pk>/", "places/", "places/<int:pk>/"]
    assert public == sorted(["", "consult/", "healthz", "i18n/setlang/", "staff/login/", *directory])


def _url(route: str) -> str:
    path = route
    for name, value in SAMPLE_KWARGS.items():
        path = path.replace(f"<int:{name}>", str(value))
    for name, value in SAMPLE_SLUGS.items():
        path = path.replace(f"<slug:{name}>", value)
    return "/" + path


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r, p, _ns in own_patterns() if p.callback.access_rule != "public"])
def test_anonymous_is_sent_to_login_on_every_staff_url(route, reference):
    response = client_for(None).get(_url(route))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


SIGNING_IN = [
    "staff/logout/",
    "staff/second-factor/",
    "staff/second-factor/enrol/",
    # Security keys (work/mfa_webauthn.py): the second factor with a key, and the first sign-in's
    # enrolment of one (each view refuses a password-only session of an enrolled account itself).
    "staff/second-factor/key/register/begin/",
    "staff/second-factor/key/register/complete/",
    "staff/second-factor/key/register/done/",
    "staff/second-factor/key/verify/begin/",
    "staff/second-factor/key/verify/complete/",
]


def test_only_the_steps_of_signing_in_take_a_password_only_session():
    steps = sorted(route for route, p, _ns in own_patterns() if p.callback.access_rule == "signing_in")
    assert steps == sorted(SIGNING_IN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r, p, _ns in own_patterns() if p.callback.access_rule not in ("public", "signing_in")]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_only_session_is_sent_to_the_second_factor_on_every_staff_url(route, method, users):
    """S6: after the password alone, every staff URL sends the session to the second factor
    (an administrator's session too, whose memberships would otherwise open most pages)."""
    from tsunagu.core.tests.personas import client_for

    for user in (users["desk"], users["admin_user"]):
        response = getattr(client_for(user, second_factor=False), method)(_url(route))
        assert response.status_code == 302, (route, user)
        assert response["Location"].startswith("/staff/second-factor/?next="), (route, user)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r, p, _ns in own_patterns() if isinstance(p.callback.access_rule, tuple)])
def test_a_user_without_membership_is_refused_on_every_staff_url(route, reference):
    from tsunagu.core.tests.personas import make_user

    response = client_for(make_user("nobody")).get(_url(route))
    assert response.status_code in (403, 404)


@pytest.mark.django_db
def test_the_admin_asks_for_a_staff_login(reference):
    response = client_for(None).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
