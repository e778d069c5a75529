"""The API's documentation page works in a real browser under the site's CSP, with nothing loaded
from outside (issue 14: "served and browsable inside the network (no outside assets)")."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_documentation_renders_the_schema_under_the_csp(new_page, users, live_server):
    page = new_page()
    refused, outside = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    login(page, "partner", PASSWORD)
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tsunagu API")
    # Every operation of the schema is listed, and one opens to its parameters and answers.
    expect(page.locator(".opblock")).to_have_count(12)
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert refused == []
    assert [url for url in outside if not url.startswith("data:")] == []
