"""With DEBUG off (as in production and in scripts/demo) errors show Tsunagu's Japanese pages,
never Django's technical pages: no URL patterns, no traceback, no detail of the failure."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from tsunagu.core.tests.error_urls import SECRET
from tsunagu.core.tests.personas import client_for

TECHNICAL = ("Traceback", "URLconf", "urlpatterns", "staff/desk/", "Django", "DEBUG", "RuntimeError", SECRET)


def assert_plain(page: str) -> None:
    for leak in TECHNICAL:
        assert leak not in page, leak


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False
    yield
    # A request in English leaves English active in the thread; the page rendered without a
    # request (the 500 test) would inherit it.
    translation.activate(django_settings.LANGUAGE_CODE)


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


OBJECT_ID = 987654
HEADINGS = {
    400: ("リクエストを処理できませんでした", "The request could not be processed"),
    403: ("この画面は利用できません", "This screen is not available"),
    404: ("ページが見つかりません", "Page not found"),
    500: ("エラーが発生しました", "An error occurred"),
}


@pytest.mark.urls("tsunagu.core.tests.error_urls")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    ("kind", "status"),
    [("suspicious", 400), ("forbidden", 403), ("missing", 404), ("crash", 500)],
)
def test_each_error_page_is_generic_in_both_languages_and_shows_no_path_or_id(world, desk, kind, status, language):
    """S10: the page names neither the path asked for, nor the object's id, nor the failure;
    the same for a signed-in user and in English."""
    client = client_for(desk)
    client.raise_request_exception = False
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    path = f"/test-errors/{kind}/{OBJECT_ID}/" if kind != "missing" else f"/staff/cases/{OBJECT_ID}/"
    response = client.get(path, {"name": "カナリア"})
    assert response.status_code == status
    page = response.content.decode()
    heading = HEADINGS[status][0 if language == "ja" else 1]
    assert f"<h1>{heading}</h1>" in page
    assert f'lang="{language}"' in page
    assert_plain(page)
    for leak in (str(OBJECT_ID), kind, "test-errors", "カナリア", "staff/cases"):
        assert leak not in page, leak


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ja", "しばらくしてからお試しください"), ("en", "Please try again later")]
)
def test_the_rate_limited_page_is_generic_in_both_languages(reference, settings, language, heading):
    from tsunagu.public.tests.test_public import request_data

    settings.PUBLIC_FORM_RATE = "1/h"
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("public:request")
    assert client.post(url, request_data(), REMOTE_ADDR="192.0.2.60").status_code == 200
    response = client.post(url, request_data(), REMOTE_ADDR="192.0.2.60")
    assert response.status_code == 429
    page = response.content.decode()
    # The form again, with the sender's own text kept in it and the notice above it.
    assert f"<strong>{heading}</strong>" in page
    assert_plain(page)
    assert "192.0.2.60" not in page and "1/h" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ja", "画面の有効期限が切れました"), ("en", "This page has expired")]
)
def test_the_csrf_page_is_generic_in_both_languages(reference, language, heading):
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("login"), {"username": "カナリア", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert_plain(page)
    assert "CSRF" not in page and "カナリア" not in page and "staff/login" not in page
