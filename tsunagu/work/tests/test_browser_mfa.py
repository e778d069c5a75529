"""Two-factor sign-in in a real browser (S6): a new caseworker's first sign-in enrols an
authenticator app from the page's key and keeps the recovery codes; the next sign-in asks for the
app's code. Every page on the way is axe clean."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, fresh_code
from tsunagu.core.tests.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What an authenticator app shows for the key typed from the page (base32, spaces ignored)."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password_step(page, username: str) -> None:
    page.goto("/staff/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_first_sign_in_enrols_an_app_then_the_next_sign_in_asks_for_its_code(new_page, reference):
    make_user("shinjin", "merkmal", "caseworker", enrolled=False, last_name="新人", first_name="一郎")
    page = new_page()
    password_step(page, "shinjin")
    page.wait_for_url("**/staff/second-factor/enrol/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("二要素認証の登録")
    expect(page.get_by_role("img", name="認証アプリに登録するためのQRコード")).to_be_visible()
    assert axe_violations(page) == []

    # A wrong code first: said on the field, nothing confirmed.
    page.get_by_label("確認コード").fill("12345")
    page.get_by_role("button", name="登録する", exact=True).click()
    expect(page.get_by_text("コードが違います")).to_be_visible()
    assert axe_violations(page) == []

    secret = page.locator("code.secret").inner_text()
    page.get_by_label("確認コード").fill(app_code(secret))
    page.get_by_role("button", name="登録する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("回復コード")
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", c) for c in codes)
    assert axe_violations(page) == []
    page.get_by_role("link", name="控えました。続ける").click()
    page.wait_for_url("**/staff/")

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/staff/login/**")

    password_step(page, "shinjin")
    page.wait_for_url("**/staff/second-factor/?next=*")
    expect(page.get_by_role("heading", level=1)).to_have_text("二要素認証")
    assert axe_violations(page) == []
    page.get_by_label("確認コード").fill(fresh_code("shinjin"))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("link", name="二要素認証")).to_be_visible()
    page.get_by_role("link", name="二要素認証").click()
    expect(page.get_by_text("使えるコードは残り 10 個です。")).to_be_visible()
    assert axe_violations(page) == []
