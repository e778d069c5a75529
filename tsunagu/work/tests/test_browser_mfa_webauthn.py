"""A security key in a real browser (S6, issue 11 item 1): Chromium's virtual authenticator (CDP
WebAuthn domain) stands in for a USB key. A person registers a key from their factors page, signs
out, signs in with the password and passes the second factor with the key; the pages are axe clean
and the package's scripts run under the CSP (script-src 'self')."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tsunagu.audit.models import SecurityEvent
from tsunagu.conftest import axe_violations
from tsunagu.core.tests.personas import PASSWORD, code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_key(page) -> None:
    """A USB security key that answers at once (presence and verification simulated)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def password_step(page, username: str) -> None:
    """The first step of signing in (conftest's login() goes on to the second factor itself)."""
    page.goto("/staff/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/second-factor/**")


def test_a_person_registers_a_key_and_then_signs_in_with_it(new_page, users):
    desk = users["desk"]
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    virtual_key(page)

    # Signed in with the app's code, the person opens their factors page.
    password_step(page, "desk")
    page.get_by_label("確認コード").fill(code_for(desk))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/staff/")
    page.goto("/staff/second-factor/factors/")
    register = page.get_by_role("button", name="セキュリティキー・Windows Hello を登録する")
    expect(register).to_be_visible()  # the script found WebAuthn and showed its part
    assert axe_violations(page) == []

    page.get_by_label("キーの名前（任意）").fill("事務室のセキュリティキー")
    register.click()
    # The key is registered, named, and the ten recovery codes (none yet) are shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("回復コード")
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    key = WebAuthnCredential.objects.get(user=desk)
    assert key.name == "事務室のセキュリティキー"
    page.get_by_role("link", name="二要素認証の画面に戻る").click()
    expect(page.locator("table.list").nth(1)).to_contain_text("事務室のセキュリティキー")

    # Signed out, the password, then the key.
    page.get_by_role("button", name="ログアウト").first.click()
    password_step(page, "desk")
    verify = page.get_by_role("button", name="セキュリティキー・Windows Hello で確認")
    expect(verify).to_be_visible()
    assert axe_violations(page) == []
    verify.click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/staff/")

    factors = [e.arguments.get("factor") for e in SecurityEvent.objects.filter(username="desk").order_by("id")]
    assert factors.count("security_key") == 2  # factor_added, then second_factor
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert not [e for e in errors if "Content Security Policy" in e or "gettext" in e], errors


def test_on_first_sign_in_a_newcomer_chooses_a_key_instead_of_an_app(new_page, reference):
    from tsunagu.core.tests.personas import make_user

    newcomer = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    page = new_page()
    virtual_key(page)
    password_step(page, "newcomer")
    page.wait_for_url("**/staff/second-factor/enrol/**")
    expect(page.get_by_role("heading", level=2, name="セキュリティキー・Windows Hello を使う")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="認証アプリを使う")).to_be_visible()
    assert axe_violations(page) == []
    # Enter in the name field starts the registration; it does not send the form by itself.
    page.get_by_label("キーの名前（任意）").fill("自席のパソコン")
    page.get_by_label("キーの名前（任意）").press("Enter")
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    assert axe_violations(page) == []
    page.get_by_role("link", name="控えました。続ける").click()
    page.wait_for_url("**/staff/")
    assert WebAuthnCredential.objects.get(user=newcomer).name == "自席のパソコン"
    assert not newcomer.totpdevice_set.filter(confirmed=True).exists()
