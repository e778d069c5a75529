"""With DEBUG off (as in production and in scripts/demo) errors show Tsunagu's Japanese pages,
never Django's technical pages: no URL patterns, no traceback, no detail of the failure."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

from tsunagu.core.tests.error_urls import SECRET
from tsunagu.core.tests.personas import client_for

TECHNICAL = ("Traceback", "URLconf", "urlpatterns", "staff/desk/", "Django", "DEBUG", "RuntimeError", SECRET)


def assert_plain(page: str) -> None:
    for leak in TECHNICAL:
        assert leak not in page, leak


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/staff/no-such-page/", "/no-such-page/", "/staff/cases/999999/"])
def test_a_missing_page_is_the_japanese_404_without_url_patterns(url, desk):
    for signed_in, client in ((False, Client()), (True, client_for(desk))):
        response = client.get(url, follow=True)
        if not signed_in and url == "/staff/cases/999999/":
            # An object page asks an anonymous visitor to sign in first (whether or not it exists).
            assert response.redirect_chain == [(f"{reverse('login')}?next={url}", 302)]
            assert response.status_code == 200
            continue
        assert response.status_code == 404
        page = response.content.decode()
        assert "<h1>ページが見つかりません</h1>" in page
        assert 'lang="ja"' in page
        assert_plain(page)


@pytest.mark.django_db
def test_the_404_page_follows_the_users_language(desk):
    client = client_for(desk)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/staff/no-such-page/").content.decode()
    assert "<h1>Page not found</h1>" in page
    assert_plain(page)


@pytest.mark.urls("tsunagu.core.tests.error_urls")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-errors/crash/", 500, "エラーが発生しました"),
        ("/test-errors/database-down/", 500, "エラーが発生しました"),
        ("/test-errors/forbidden/", 403, "この画面は利用できません"),
        ("/test-errors/suspicious/", 400, "リクエストを処理できませんでした"),
    ],
)
def test_errors_show_the_japanese_page_and_nothing_of_the_failure(url, status, heading):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert_plain(page)


def test_the_500_page_needs_neither_the_database_nor_a_context_processor():
    """No django_db mark: any query would fail the test. Rendered without a request, as Django's
    server_error does, so a broken database cannot break the error page too."""
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>エラーが発生しました</h1>" in response.content.decode()
    assert_plain(response.content.decode())


@pytest.mark.django_db
def test_a_form_posted_after_the_session_ended_explains_itself_in_japanese(desk):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "desk", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>画面の有効期限が切れました</h1>" in page
    assert_plain(page)
    assert "CSRF" not in page


def test_the_demo_runs_with_debug_off():
    script = (Path(django_settings.BASE_DIR) / "scripts" / "demo").read_text()
    assert re.search(r"^export DEBUG=0$", script, re.MULTILINE)
