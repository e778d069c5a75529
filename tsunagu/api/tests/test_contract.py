"""Contract tests (issue 14, item 3): Schemathesis generates calls from the API's own OpenAPI
schema and runs them through the WSGI application (no network), on whichever database the suite
runs on (CI runs both). Every answer: no 500, a status the schema declares, a body that matches
it. Deterministic (``derandomize``) and modest (``max_examples``), so each run takes seconds.

The explicit contracts beside it — the outsider's 404 on every object endpoint, a 400 naming the
field — are in test_access_matrix.py and test_input.py."""

import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tsunagu.api.tests.conftest import Api
from tsunagu.api.tests.test_access_matrix import ENDPOINTS, EXPECTED

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi(settings):
    """The project's WSGI application, as a server runs it, inside the test's transaction: like
    Django's test client, without closing the database connection at each request's start and end
    (on PostgreSQL that would close the test's own transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    # Schemathesis makes hundreds of calls with one token: the rate is test_input.py's business.
    settings.API_TOKEN_RATE = "100000/min"
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def contract(world, referral, place, api, wsgi):
    """The desk's system (it reaches every endpoint: consultations, summaries, the details and
    records of the case its agency leads, a referral it received) and the ids of real objects, so
    that generated calls reach them and not only 404s."""
    return {
        "token": api["link"].token,
        "ids": {
            "cases": [world.other_case.pk, world.case.pk],
            "referrals": [referral.pk],
            "places": [place.pk],
        },
        "app": wsgi,
    }


def real_id(case, ids: dict[str, list[int]]) -> None:
    """Most generated ids are replaced by a real object's of the path's kind; the rest stay as
    generated (missing: 404, or not an id at all: the JSON 404 of an unknown path)."""
    generated = (case.path_parameters or {}).get("id")
    if isinstance(generated, int) and generated % 5:
        kind = case.operation.path.split("/")[3]
        case.path_parameters["id"] = ids[kind][generated % len(ids[kind])]


# The schema exactly as /api/v1/schema/ serves it, generated in the process.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_schema(case, contract):
    real_id(case, contract["ids"])
    case.call_and_validate(
        app=contract["app"],
        headers={"Authorization": f"Bearer {contract['token']}"},
        checks=CHECKS,
    )


@pytest.mark.django_db
def test_the_schema_is_served_to_signed_in_staff_only(users):
    from tsunagu.core.tests.personas import client_for

    assert client_for(None).get("/api/v1/schema/").status_code == 302
    response = client_for(users["partner"]).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cases/{id}/details/" in paths
    assert response.json()["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_browsable_documentation_loads_nothing_from_outside(users):
    from tsunagu.core.tests.personas import client_for

    client = client_for(users["partner"])
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html and "https://" not in html and "<style" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Its script is a file (the split view), allowed by the CSP's script-src 'self'.
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_token_is_not_a_session_for_the_documentation(world, api):
    """The documentation is for staff at the screen; a system's token opens no staff page."""
    assert Api(api["link"].token).get("/api/v1/schema/").status_code == 302


@pytest.fixture
def outsider(world, referral, place, api, wsgi):
    """An unrelated agency's system (every scope its role may hold) and the real objects' ids."""
    return {
        "token": api["outsider"].token,
        "ids": {
            "case": [world.case.pk, world.other_case.pk],
            "referral": [referral.pk],
        },
        "app": wsgi,
    }


@pytest.mark.django_db
@schema.include(path_regex=r"/(cases|referrals)/\{id\}/").parametrize()
@hypothesis_settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_outsider_token_gets_404_from_every_object_endpoint(case, outsider):
    """Whatever the body, header or query, a real case or referral of another agency answers 404,
    and nothing else (not 400: the door is asked before the input is); without the token, 401."""
    kind = "case" if "/cases/" in case.path else "referral"
    ids = outsider["ids"][kind]
    generated = case.path_parameters.get("id")
    case.path_parameters["id"] = ids[generated % len(ids)] if isinstance(generated, int) else ids[0]
    response = case.call(app=outsider["app"], headers={"Authorization": f"Bearer {outsider['token']}"})
    # Schemathesis also sends some calls without the credentials (to see that they are needed).
    # An unsupported method (Schemathesis tries some) is 405 for everybody.
    documented = case.method.lower() in case.operation.schema.raw_schema["paths"][case.operation.path]
    expected = 401 if "Authorization" not in response.request.headers else 404 if documented else 405
    assert response.status_code == expected, (case.method, case.formatted_path, response.status_code)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("system", "name"), [(sy, n) for sy, row in EXPECTED.items() for n, st in row.items() if st < 300]
)
def test_every_successful_answer_matches_the_schema(system, name, world, referral, place, api, wsgi):
    """Generated bodies seldom pass the forms' rules (a consultation's), so every success of the
    access matrix is also checked against the schema here."""
    from werkzeug.test import Client

    method, path, _scope, body = ENDPOINTS[name]
    url = path(world, referral, place)
    headers = {"Authorization": f"Bearer {api[system].token}"}
    if method == "get":
        response = Client(wsgi).get(url, headers=headers)
    else:
        response = Client(wsgi).post(url, json=body(world, referral, place), headers=headers)
    assert response.status_code == EXPECTED[system][name]
    template = next(
        p for p in schema.raw_schema["paths"] if re.fullmatch(re.sub(r"\{id\}", r"\\d+", p), url.split("?")[0])
    )
    operation = schema[template][method.upper()]
    operation.validate_response(Response.from_wsgi(response))
