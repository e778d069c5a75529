"""Security keys and Windows Hello (WebAuthn) as a second factor (S6, issue 11 item 1): the
package's endpoints behind our doors (work/mfa_webauthn.py).

No mocks: ``SoftKey`` below is a small software authenticator (an ES256 key, "none" attestation)
that answers the server's real options, so py_webauthn checks real signatures, challenges, origins
and relying-party hashes. The browser's part is in test_browser_mfa_webauthn.py (Chromium's
virtual authenticator)."""

import base64
import json
import os
import re
from hashlib import sha256

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.mfa import recovery_codes_new
from tsunagu.core.models import RecoveryCode, StaffSession
from tsunagu.core.tests.personas import PASSWORD, app_of, client_for, make_user

OFFICE = "192.0.2.10"
ORIGIN = "http://testserver"
LIMIT = settings.AXES_FAILURE_LIMIT

REGISTER_BEGIN, REGISTER_COMPLETE = "mfa:key_register_begin", "mfa:key_register_complete"
AUTH_BEGIN, AUTH_COMPLETE = "mfa:key_auth_begin", "mfa:key_auth_complete"
ENDPOINTS = [REGISTER_BEGIN, REGISTER_COMPLETE, AUTH_BEGIN, AUTH_COMPLETE, "mfa:key_registered"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    """A software security key: what a browser with a USB key sends back for the server's options."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        client_data = json.dumps(
            {"type": "webauthn.create", "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self.cose_public_key()
        auth_data = sha256(options["rp"]["id"].encode()).digest() + bytes([0x41]) + (0).to_bytes(4, "big") + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def get(self, options: dict, origin: str = ORIGIN) -> dict:
        client_data = json.dumps({"type": "webauthn.get", "challenge": options["challenge"], "origin": origin}).encode()
        self.sign_count += 1
        auth_data = sha256(options["rpId"].encode()).digest() + bytes([0x01]) + self.sign_count.to_bytes(4, "big")
        signature = self.private.sign(auth_data + sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
            },
            "clientExtensionResults": {},
        }

    def stored_for(self, user, name: str = "事務室のセキュリティキー") -> WebAuthnCredential:
        """The key as registered earlier (the registration itself is tested below)."""
        return WebAuthnCredential.objects.create(
            user=user,
            name=name,
            credential_id=self.credential_id,
            public_key=self.cose_public_key(),
            aaguid="00000000-0000-0000-0000-000000000000",
            transports=["usb"],
        )


def post_json(client: Client, name: str, body=None, *, query: str = "", raw: bytes | None = None, **extra):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return client.post(reverse(name) + query, data=data, content_type="application/json", REMOTE_ADDR=OFFICE, **extra)


def password(client: Client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=OFFICE)


def register(client: Client, key: SoftKey):
    options = post_json(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    return post_json(client, REGISTER_COMPLETE, key.create(options.json()))


def verify(client: Client, key: SoftKey, query: str = ""):
    options = post_json(client, AUTH_BEGIN)
    assert options.status_code == 200, options.content
    return post_json(client, AUTH_COMPLETE, key.get(options.json()), query=query)


def verified(client: Client) -> bool:
    return client.get(reverse("work:home")).status_code == 200


def kinds(user):
    return list(SecurityEvent.objects.filter(username=user.username).order_by("id").values_list("kind", flat=True))


# --- Doors --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_is_sent_to_sign_in_by_every_endpoint(name, reference):
    response = post_json(Client(), name, {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_password_only_session_of_an_enrolled_person_cannot_register_a_key(users):
    """Otherwise whoever learns a password adds their own key and never needs the second factor."""
    desk = users["desk"]
    client = client_for(desk, second_factor=False)
    refused = post_json(client, REGISTER_BEGIN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_not_verified"
    assert "先にいまの認証手段で" in refused.json()["detail"]
    # Nor by completing a ceremony begun elsewhere, nor by the naming page.
    forged = SoftKey().create({"challenge": "AA", "rp": {"id": "testserver"}})
    assert post_json(client, REGISTER_COMPLETE, forged).status_code == 403
    named = client.post(reverse("mfa:key_registered"), {"name": "x"})
    assert named.status_code == 302 and named["Location"].startswith(reverse("mfa:verify"))
    assert not WebAuthnCredential.objects.filter(user=desk).exists()
    assert not verified(client)


@pytest.mark.django_db
def test_a_registration_begun_before_another_factor_was_added_cannot_be_completed_with_the_password_alone(reference):
    newcomer = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    client = client_for(newcomer, second_factor=False)
    options = post_json(client, REGISTER_BEGIN)
    assert options.status_code == 200
    app_of(newcomer)  # the account gets an app meanwhile (another tab)
    response = post_json(client, REGISTER_COMPLETE, SoftKey().create(options.json()))
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_first_sign_in_enrols_a_key_which_passes_the_second_factor_and_shows_recovery_codes_once(reference):
    newcomer = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    client = Client()
    password(client, "newcomer")
    enrol = client.get(reverse("mfa:enrol") + "?next=/staff/").content.decode()
    assert "セキュリティキー・Windows Hello を使う" in enrol and "認証アプリを使う" in enrol
    before = client.session.session_key

    key = SoftKey()
    options = post_json(client, REGISTER_BEGIN).json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"  # a second factor, no sign-in by key alone
    done = post_json(client, REGISTER_COMPLETE, key.create(options))
    assert done.status_code == 200
    credential = WebAuthnCredential.objects.get(user=newcomer)
    assert done.json() == {"id": credential.pk}
    assert credential.name == "セキュリティキー"
    assert not TOTPDevice.objects.filter(user=newcomer).exists()  # the enrolment page's app key went
    # The session has passed its second factor with the new key: new key, its row moved.
    after = client.session.session_key
    assert after != before
    assert list(StaffSession.objects.filter(user=newcomer).values_list("session_key", flat=True)) == [after]

    shown = client.post(reverse("mfa:key_registered"), {"name": "事務室のセキュリティキー", "next": "/staff/"})
    assert shown.status_code == 200
    page = shown.content.decode()
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(codes) == 10
    assert 'href="/staff/"' in page  # 控えました。続ける
    credential.refresh_from_db()
    assert credential.name == "事務室のセキュリティキー"
    assert verified(client)
    assert kinds(newcomer) == ["sign_in", "factor_added", "second_factor", "recovery_codes"]
    factor_events = SecurityEvent.objects.filter(username="newcomer", kind__in=["factor_added", "second_factor"])
    assert {e.arguments["factor"] for e in factor_events} == {"security_key"}
    # Once: sending the form again shows no codes and makes none.
    again = client.post(reverse("mfa:key_registered"), {"name": "別の名前"})
    assert again.status_code == 302 and again["Location"] == reverse("mfa:factors")
    assert RecoveryCode.objects.filter(device__user=newcomer).count() == 10
    credential.refresh_from_db()
    assert credential.name == "事務室のセキュリティキー"


@pytest.mark.django_db
def test_a_verified_person_adds_a_key_from_the_factors_page(users):
    desk = users["desk"]
    recovery_codes_new(desk)
    client = client_for(desk)
    page = client.get(reverse("mfa:factors")).content.decode()
    assert 'id="passkey-register-button"' in page and "セキュリティキー・Windows Hello を登録する" in page
    session_key = client.session.session_key
    assert register(client, SoftKey()).status_code == 200
    assert client.session.session_key == session_key  # already verified: the session is left as it is
    named = client.post(reverse("mfa:key_registered"), {"name": "自席のパソコン"}, follow=True)
    assert "セキュリティキー・Windows Hello を登録しました" in named.content.decode()
    assert "自席のパソコン" in named.content.decode()
    assert RecoveryCode.objects.filter(device__user=desk).count() == 10  # the old ones stay
    assert kinds(desk) == ["factor_added"]
    # A second key without a name gets a numbered default; a name with a direction-changing
    # character is not taken.
    assert register(client, SoftKey()).status_code == 200
    client.post(reverse("mfa:key_registered"), {"name": "\u202eキー"})
    names = list(WebAuthnCredential.objects.filter(user=desk).order_by("pk").values_list("name", flat=True))
    assert names == ["自席のパソコン", "セキュリティキー"]
    assert register(client, SoftKey()).status_code == 200
    client.post(reverse("mfa:key_registered"), {"name": ""})
    assert WebAuthnCredential.objects.filter(user=desk).order_by("pk").last().name == "セキュリティキー（2）"


@pytest.mark.django_db
def test_the_same_key_is_not_registered_twice_and_a_wrong_origin_is_refused(users):
    client = client_for(users["desk"])
    key = SoftKey()
    assert register(client, key).status_code == 200
    options = post_json(client, REGISTER_BEGIN).json()
    assert [c["id"] for c in options["excludeCredentials"]] == [b64(key.credential_id)]
    options = post_json(client, REGISTER_BEGIN).json()
    refused = post_json(client, REGISTER_COMPLETE, SoftKey().create(options, origin="https://attacker.example"))
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "セキュリティキーの処理ができませんでした。もう一度お試しください。",
        "code": "error",
    }
    assert WebAuthnCredential.objects.filter(user=users["desk"]).count() == 1


# --- The second factor with a key ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_passes_the_second_factor_with_a_new_session_key_and_is_recorded(users):
    desk = users["desk"]
    key = SoftKey()
    credential = key.stored_for(desk)
    client = Client()
    password(client, "desk")
    page = client.get(reverse("mfa:verify") + "?next=/staff/desk/").content.decode()
    assert "セキュリティキー・Windows Hello で確認" in page
    before = client.session.session_key
    options = post_json(client, AUTH_BEGIN).json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(key.credential_id)]
    assert options["userVerification"] == "discouraged"  # possession: the password was the knowledge
    response = post_json(client, AUTH_COMPLETE, key.get(options), query="?next=/staff/desk/")
    assert response.status_code == 200
    assert response.json() == {"id": credential.pk, "redirect_url": "/staff/desk/"}
    after = client.session.session_key
    assert after != before
    assert list(StaffSession.objects.filter(user=desk).values_list("session_key", flat=True)) == [after]
    assert verified(client)
    event = SecurityEvent.objects.get(username="desk", kind=SecurityEventKind.SECOND_FACTOR)
    assert event.arguments["factor"] == "security_key"
    credential.refresh_from_db()
    assert credential.sign_count == 1 and credential.last_used_at is not None


@pytest.mark.django_db
def test_the_next_page_after_a_key_never_leads_off_the_site(users):
    key = SoftKey()
    key.stored_for(users["desk"])
    client = client_for(users["desk"], second_factor=False)
    response = verify(client, key, query="?next=https://attacker.example/")
    assert response.json()["redirect_url"] == reverse("work:home")


@pytest.mark.django_db
def test_another_persons_key_does_not_verify_and_counts_as_a_failure(users):
    desk, lead = users["desk"], users["lead_worker"]
    SoftKey().stored_for(desk)
    theirs = SoftKey()
    theirs.stored_for(lead)
    client = client_for(desk, second_factor=False)
    response = verify(client, theirs)
    assert response.status_code == 403
    assert response.json()["code"] == "verification_failed"
    assert not verified(client)
    assert kinds(desk) == ["second_factor_failed"]


@pytest.mark.django_db
def test_a_person_without_a_key_gets_no_ceremony(users):
    client = client_for(users["desk"], second_factor=False)
    response = post_json(client, AUTH_BEGIN)
    assert response.status_code == 400 and response.json()["code"] == "no_security_key"
    assert "セキュリティキー・Windows Hello で確認" not in client.get(reverse("mfa:verify")).content.decode()


@pytest.mark.django_db
def test_an_answer_is_checked_once(users):
    key = SoftKey()
    key.stored_for(users["desk"])
    client = client_for(users["desk"], second_factor=False)
    options = post_json(client, AUTH_BEGIN).json()
    answer = key.get(options)
    other = client_for(users["desk"], second_factor=False)
    # Another session cannot use this session's challenge.
    post_json(other, AUTH_BEGIN)
    assert post_json(other, AUTH_COMPLETE, answer).status_code == 403
    assert post_json(client, AUTH_COMPLETE, answer).status_code == 200
    # The state is gone: the same answer again is refused.
    again = client_for(users["desk"], second_factor=False)
    assert post_json(again, AUTH_COMPLETE, answer).json()["code"] == "invalid_state"


@pytest.mark.django_db
def test_failed_assertions_count_towards_the_lockout_and_end_the_session(users):
    desk = users["desk"]
    key = SoftKey()
    key.stored_for(desk)
    forged = SoftKey()
    forged.credential_id = key.credential_id  # the right key's id, another private key
    client = Client()
    password(client, "desk")
    responses = [verify(client, forged) for _ in range(LIMIT)]
    assert [r.status_code for r in responses] == [403] * (LIMIT - 1) + [429]
    # JSON, not django-axes' lockout page: the page's script shows the sentence.
    assert "ログインを止めています" in responses[-1].json()["detail"]
    assert "_auth_user_id" not in client.session  # the half-signed-in session has ended
    assert kinds(desk).count("second_factor_failed") == LIMIT
    assert "locked_out" in kinds(desk)
    # The right password, and then the right key, are refused from this address for the cool-off.
    assert password(Client(), "desk").status_code == 429


@pytest.mark.django_db
def test_a_locked_out_name_and_address_cannot_begin_or_complete(users):
    desk = users["desk"]
    key = SoftKey()
    key.stored_for(desk)
    client = client_for(desk, second_factor=False)
    options = post_json(client, AUTH_BEGIN).json()
    for _ in range(LIMIT):  # wrong codes typed in another tab
        client_for(desk, second_factor=False).post(reverse("mfa:verify"), {"code": "not-a-code"}, REMOTE_ADDR=OFFICE)
    response = post_json(client, AUTH_COMPLETE, key.get(options))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "ログインを止めています" in response.json()["detail"]
    assert "_auth_user_id" not in client.session
    again = client_for(desk, second_factor=False)
    assert post_json(again, AUTH_BEGIN).status_code == 429


# --- Malformed input ------------------------------------------------------------------------------

MALFORMED_BODIES = [
    b"{not json",
    b"\xff\xfe\x00",  # not UTF-8
    b"[]",
    b"null",
    b'"text"',
    b"12",
    b'{"id": 1}',
    b'{"id": "AA", "rawId": "AA", "type": "public-key", "response": "x"}',
    b'{"id": "AA", "rawId": "!!", "type": "public-key", "response": {"clientDataJSON": "AA", "attestationObject": "AA",'
    b' "authenticatorData": "AA", "signature": "AA"}}',
    b'{"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "e30",'
    b' "attestationObject": "oA", "authenticatorData": "AA", "signature": "AA"}}',
]


@pytest.mark.django_db
@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_malformed_input_is_a_json_request_error_never_a_server_error(body, users):
    newcomer = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    desk = users["desk"]
    SoftKey().stored_for(desk)
    for client, begin, complete in (
        (client_for(newcomer, second_factor=False), REGISTER_BEGIN, REGISTER_COMPLETE),
        (client_for(desk), REGISTER_BEGIN, REGISTER_COMPLETE),
        (client_for(desk, second_factor=False), AUTH_BEGIN, AUTH_COMPLETE),
    ):
        for with_state in (False, True):
            if with_state:
                post_json(client, begin)
            response = post_json(client, complete, raw=body)
            assert 400 <= response.status_code < 500, (complete, body, response.status_code)
            assert response["Content-Type"] == "application/json"
            detail = response.json()["detail"]
            assert "Traceback" not in detail and "Error" not in detail and "JSON" not in detail
        # A begin takes no body; one that is no JSON object is refused the same way.
        if not body.startswith(b'{"'):
            assert post_json(client, begin, raw=body).status_code == 400
    assert not WebAuthnCredential.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_a_form_post_and_a_get_are_refused_too(users):
    client = client_for(users["desk"])
    assert client.post(reverse(REGISTER_COMPLETE), {"id": "AA"}).status_code == 400
    assert client.get(reverse(REGISTER_BEGIN)).status_code == 405


# --- The pages ----------------------------------------------------------------------------------


def scripts_of(page: str) -> list[str]:
    return re.findall(r"<script[^>]*>", page)


@pytest.mark.django_db
def test_the_pages_carry_no_inline_script_and_no_inline_handler(users):
    desk = users["desk"]
    SoftKey().stored_for(desk)
    verify_page = client_for(desk, second_factor=False).get(reverse("mfa:verify")).content.decode()
    factors_page = client_for(desk).get(reverse("mfa:factors")).content.decode()
    newcomer = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    enrol_page = client_for(newcomer, second_factor=False).get(reverse("mfa:enrol")).content.decode()
    for page, script in (
        (verify_page, "otp_webauthn_auth.js"),
        (factors_page, "otp_webauthn_register.js"),
        (enrol_page, "otp_webauthn_register.js"),
    ):
        tags = scripts_of(page)
        assert all(' src="' in tag or 'type="application/json"' in tag for tag in tags), tags
        assert any(script in tag for tag in tags) and any("tsunagu/webauthn.js" in tag for tag in tags)
        assert not re.search(r"\son[a-z]+=", page)
        config = json.loads(re.search(r'id="otp_webauthn_config" type="application/json">([^<]*)<', page).group(1))
        assert config["beginAuthenticationUrl"] == reverse(AUTH_BEGIN)
        assert config["completeRegistrationUrl"] == reverse(REGISTER_COMPLETE)
        assert config["autocompleteLoginFieldSelector"] is None
        sentences = json.loads(re.search(r'id="tsunagu_webauthn_messages" type="application/json">([^<]*)<', page)[1])
        assert sentences["Verification successful!"] == "確認できました。"
    assert 'id="passkey-verification-button"' in verify_page


@pytest.mark.django_db
def test_the_script_sentences_cover_every_sentence_of_the_package_scripts():
    from pathlib import Path

    import django_otp_webauthn

    from tsunagu.work.mfa_webauthn import script_messages

    static = Path(django_otp_webauthn.__file__).parent / "static" / "django_otp_webauthn"
    used = set()
    for name in ("otp_webauthn_auth.js", "otp_webauthn_register.js"):
        used |= set(re.findall(r'gettext\("([^"]+)"\)', (static / name).read_text()))
    assert used and used <= set(script_messages())
