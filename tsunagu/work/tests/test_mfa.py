"""Two-factor sign-in (docs/quality.md S6, decision 0033): first sign-in enrols an authenticator
app and shows recovery codes; later sign-ins ask for a code; codes pass once; wrong codes count
towards the lockout; one's own factors; the administrator's reset."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.mfa import current_code, recovery_codes_new
from tsunagu.core.models import RecoveryCode, StaffSession
from tsunagu.core.tests.personas import PASSWORD, app_of, client_for, code_for, make_user

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
OFFICE, HOME = "192.0.2.10", "198.51.100.7"
LIMIT = settings.AXES_FAILURE_LIMIT


def password(client, username, ip=OFFICE):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def code(client, typed, ip=OFFICE, **extra):
    return client.post(reverse("mfa:verify"), {"code": typed, **extra}, REMOTE_ADDR=ip)


def kinds(user=None):
    events = SecurityEvent.objects.order_by("id")
    if user is not None:
        events = events.filter(username=user.username)
    return [e.kind for e in events]


def code_at(device, moment: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = moment.timestamp()
    return f"{totp.token():06d}"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_first_sign_in_enrols_an_app_shows_ten_recovery_codes_once_and_lets_the_person_in(reference):
    user = make_user("newcomer", "merkmal", "caseworker", enrolled=False)
    client = Client()
    response = password(client, "newcomer")
    assert response["Location"] == f"{reverse('mfa:verify')}?next=%2Fstaff%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('mfa:enrol')}?next=%2Fstaff%2F"
    # Nothing else is reachable yet.
    assert client.get(reverse("work:home"))["Location"].startswith(reverse("mfa:verify"))

    page = client.get(reverse("mfa:enrol")).content.decode()
    assert "<svg" in page and '<path d="M' in page  # the QR code, drawn by the template
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.sub(r"\s", "", re.search(r'class="secret">([^<]+)<', page).group(1)) in device.config_url
    # Reloading the page keeps the same key (the person may have scanned it already).
    client.get(reverse("mfa:enrol"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("mfa:enrol"), {"code": "000000" if code_at(device, NOW) != "000000" else "111111"})
    assert "コードが違います" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    # A code typed from a Japanese input method in full-width digits is the same code.
    full_width = code_at(device, NOW).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    shown = client.post(reverse("mfa:enrol"), {"code": full_width, "next": "/staff/"})
    assert shown.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", shown.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert shown["Cache-Control"].startswith("no-store") or "no-store" in shown["Cache-Control"]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # Only digests are kept.
    assert not RecoveryCode.objects.filter(digest__in=[c.replace("-", "") for c in codes]).exists()
    assert client.get(reverse("work:home")).status_code == 200
    assert kinds(user) == ["sign_in", "factor_added", "second_factor", "recovery_codes"]


@pytest.mark.django_db
def test_an_enrolled_person_cannot_enrol_another_app_with_the_password_alone(users):
    """Otherwise whoever learns a password adds their own app and never needs the second factor."""
    client = client_for(users["desk"], second_factor=False)
    response = client.get(reverse("mfa:enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:verify"))
    assert not TOTPDevice.objects.filter(user=users["desk"], confirmed=False).exists()
    response = client.post(reverse("mfa:enrol"), {"code": "123456"})
    assert response["Location"].startswith(reverse("mfa:verify"))


@pytest.mark.django_db
def test_a_totp_code_passes_once(users):
    desk = users["desk"]
    with time_machine.travel(NOW, tick=False):
        typed = code_for(desk)
        first, second = Client(), Client()
        password(first, "desk")
        password(second, "desk")
        assert code(first, typed)["Location"] == reverse("work:home")
        replay = code(second, typed)
        assert replay.status_code == 200
        assert "すでに使われた" in replay.content.decode()
        assert second.get(reverse("work:home")).status_code == 302
    # The next step's code passes in the next 30 seconds.
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        assert code(second, code_at(app_of(desk), NOW + dt.timedelta(seconds=30)))["Location"] == reverse("work:home")
    assert kinds(desk).count("second_factor") == 2
    assert kinds(desk).count("second_factor_failed") == 1


@pytest.mark.django_db
def test_passing_the_second_factor_gives_the_session_a_new_key_and_moves_its_row(users):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        password(client, "desk")
        before = client.session.session_key
        assert StaffSession.objects.filter(session_key=before).exists()
        code(client, code_for(users["desk"]))
    after = client.session.session_key
    assert after != before
    assert list(StaffSession.objects.filter(user=users["desk"]).values_list("session_key", flat=True)) == [after]


@pytest.mark.django_db
def test_after_a_wrong_code_the_app_waits_and_says_so_and_a_recovery_code_still_works(users):
    desk = users["desk"]
    codes = recovery_codes_new(desk)
    client = Client()
    with time_machine.travel(NOW, tick=False):
        password(client, "desk")
        right = code_for(desk)
        code(client, "000000" if right != "000000" else "111111")
        waiting = code(client, right)
        assert "秒後まで受け付けません" in waiting.content.decode()
    with time_machine.travel(NOW + dt.timedelta(seconds=2), tick=False):
        assert code(client, right)["Location"] == reverse("work:home")
    # A recovery code, typed in lower case without its hyphen, from another session.
    other = Client()
    with time_machine.travel(NOW + dt.timedelta(seconds=3), tick=False):
        password(other, "desk")
        assert code(other, codes[0].replace("-", "").lower())["Location"] == reverse("work:home")
        assert other.get(reverse("work:home")).status_code == 200
        messages = [str(m) for m in other.get(reverse("work:home")).context["messages"]]
    # Once only.
    third = Client()
    password(third, "desk")
    assert code(third, codes[0]).status_code == 200
    assert third.get(reverse("work:home")).status_code == 302
    assert RecoveryCode.objects.filter(device__user=desk, used_at__isnull=True).count() == 9
    assert [e.arguments.get("factor") for e in SecurityEvent.objects.filter(kind="second_factor").order_by("id")] == [
        "app",
        "recovery_code",
    ]
    del messages


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_wrong_codes_count_towards_the_lockout_of_the_name_and_address_and_end_the_session(users):
    client = Client()
    password(client, "desk")
    statuses = []
    for attempt in range(LIMIT):
        with time_machine.travel(NOW + dt.timedelta(minutes=attempt), tick=False):  # past the app's wait
            statuses.append(code(client, "999999" if code_for(users["desk"]) != "999999" else "888888").status_code)
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert "_auth_user_id" not in client.session  # the half-signed-in session has ended
    assert kinds(users["desk"]).count("second_factor_failed") == LIMIT
    assert "locked_out" in kinds(users["desk"])
    # The right password is refused from this address for the cool-off, not for a colleague.
    assert password(Client(), "desk").status_code == 429
    assert password(Client(), "lead_worker").status_code == 302
    assert password(Client(), "desk", ip=HOME).status_code == 302


@pytest.mark.django_db
def test_the_next_page_is_kept_and_never_leads_off_the_site(users):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        password(client, "desk")
        response = code(client, code_for(users["desk"]), next="https://attacker.example/")
    assert response["Location"] == reverse("work:home")
    target = reverse("intake:queue")
    response = client_for(users["lead_worker"], second_factor=False).get(target)
    assert response["Location"] == f"{reverse('mfa:verify')}?next={target}"


@pytest.mark.django_db
def test_sign_out_works_before_the_second_factor(users):
    client = client_for(users["desk"], second_factor=False)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_own_factors_are_listed_and_one_can_be_removed_but_not_the_last(users):
    desk = users["desk"]
    client = client_for(desk)
    first = app_of(desk)
    second = TOTPDevice.objects.create(user=desk, name="予備のスマートフォン", confirmed=True)
    page = client.get(reverse("mfa:factors")).content.decode()
    assert "予備のスマートフォン" in page
    assert client.post(reverse("mfa:app_remove", args=[second.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()
    response = client.post(reverse("mfa:app_remove", args=[first.pk]), follow=True)
    assert "最後の認証手段は削除できません" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=first.pk).exists()
    # Another person's factor is not found.
    other = app_of(users["lead_worker"])
    assert client.post(reverse("mfa:app_remove", args=[other.pk])).status_code == 404
    assert kinds(desk).count("factor_removed") == 1


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(users):
    desk = users["desk"]
    old = recovery_codes_new(desk)
    page = client_for(desk).post(reverse("mfa:recovery_codes")).content.decode()
    new = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client = Client()
    password(client, "desk")
    assert code(client, old[0]).status_code == 200  # refused
    assert code(client, new[0])["Location"] == reverse("work:home")
    assert "recovery_codes" in kinds(desk)


@pytest.mark.django_db
def test_an_administrator_resets_a_persons_factors_which_ends_their_sessions_and_is_recorded(users):
    desk = users["desk"]
    recovery_codes_new(desk)
    signed_in = Client()
    with time_machine.travel(NOW, tick=False):
        password(signed_in, "desk")
        code(signed_in, code_for(desk))
    assert signed_in.get(reverse("work:home")).status_code == 200
    admin = client_for(get_user_model().objects.create_superuser("it-admin", password=PASSWORD))
    changelist = reverse("admin:auth_user_changelist")
    form = {"action": "reset_second_factors", "_selected_action": [desk.pk]}
    confirm = admin.post(changelist, form)
    assert confirm.status_code == 200 and "desk" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=desk).exists()  # not before it is confirmed
    done = admin.post(changelist, {**form, "confirmed": "yes"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=desk).exists()
    assert not RecoveryCode.objects.filter(device__user=desk).exists()
    assert signed_in.get(reverse("work:home")).status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.FACTORS_RESET)
    assert event.username == "it-admin" and event.arguments["reset_username"] == "desk"
    # The next sign-in enrols afresh.
    client = Client()
    password(client, "desk")
    assert client.get(reverse("mfa:verify"))["Location"].startswith(reverse("mfa:enrol"))


@pytest.mark.django_db
def test_a_password_only_session_reaches_no_admin_page(users):
    admin = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    client = client_for(admin, second_factor=False)
    for url in ("/admin/", reverse("admin:auth_user_changelist"), reverse("admin:password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:verify")), url
    # The admin's own sign-in form gives a password-only session too: the same step follows.
    fresh = Client()
    fresh.post(reverse("admin:login"), {"username": "it-admin", "password": PASSWORD})
    assert fresh.get("/admin/")["Location"].startswith(reverse("mfa:verify"))


@pytest.mark.django_db
def test_the_demo_hint_shows_the_current_code_only_when_switched_on(users, settings):
    with time_machine.travel(NOW, tick=False):
        client = client_for(users["desk"], second_factor=False)
        expected = current_code(app_of(users["desk"]))
        assert expected not in client.get(reverse("mfa:verify")).content.decode()
        settings.DEMO_SECOND_FACTOR_HINT = True
        assert f"いまのコードは {expected}" in client.get(reverse("mfa:verify")).content.decode()


@pytest.mark.django_db
def test_demo_code_prints_the_apps_code_and_refuses_in_production(users, settings):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo_code", "desk", stdout=out)
        assert out.getvalue().strip() == current_code(app_of(users["desk"]))
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番モード"):
        call_command("demo_code", "desk")


@pytest.mark.django_db
def test_the_servers_reset_command_is_recorded_with_the_operator(users):
    import io

    from django.core.management import CommandError, call_command

    desk = users["desk"]
    signed_in = client_for(desk)
    out = io.StringIO()
    call_command("reset_second_factor", "desk", operator="委託事業者 山本", stdout=out)
    assert "リセットしました" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=desk).exists()
    assert signed_in.get(reverse("work:home")).status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.FACTORS_RESET)
    assert (event.username, event.arguments["reset_username"], event.method) == ("委託事業者 山本", "desk", "CLI")
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "nobody", operator="x")
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "desk", operator="  ")


@pytest.mark.django_db
def test_removing_the_factor_this_session_passed_with_keeps_the_session_signed_in(users):
    desk = users["desk"]
    client = client_for(desk)
    passed_with = app_of(desk)
    assert client.session["otp_device_id"] == passed_with.persistent_id
    spare = TOTPDevice.objects.create(user=desk, name="予備", confirmed=True)
    assert client.post(reverse("mfa:app_remove", args=[passed_with.pk])).status_code == 302
    assert client.get(reverse("work:home")).status_code == 200
    assert client.session["otp_device_id"] == spare.persistent_id


def test_the_relying_party_is_the_host_without_port(rf, settings):
    from tsunagu.core.mfa import relying_party_id

    settings.OTP_WEBAUTHN_RP_ID = ""
    settings.ALLOWED_HOSTS = ["*"]
    assert relying_party_id(rf.get("/", HTTP_HOST="tsunagu.example.lg.jp:8443")) == "tsunagu.example.lg.jp"
    assert relying_party_id(rf.get("/", HTTP_HOST="localhost")) == "localhost"
    assert relying_party_id(rf.get("/", HTTP_HOST="[::1]")) == "::1"
