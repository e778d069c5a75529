"""An outside review of two-factor sign-in (decision 0033): each test shows a defect that was
found, and stays as the test of its fix."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.audit.models import SecurityEvent
from tsunagu.core.mfa import recovery_codes_new
from tsunagu.core.tests.personas import PASSWORD, app_of, client_for, code_for

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
OFFICE = "192.0.2.10"
LIMIT = settings.AXES_FAILURE_LIMIT
WRONG_RECOVERY_CODE = "ABCDE-23456"  # well-formed, never issued (not throttled by django-otp)


def password(client, username="desk"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=OFFICE)


def code(client, typed):
    return client.post(reverse("mfa:verify"), {"code": typed}, REMOTE_ADDR=OFFICE)


@pytest.mark.django_db
def test_the_admin_site_has_no_page_that_adds_reads_or_removes_an_authenticator_app(users):
    """django-otp registers its own TOTP device admin: there an administrator added an app with a
    key they chose (shown on the add form) to any account, a superuser's included, confirmed a
    person's pending enrolment, or deleted factors; none of it recorded, no session ended. The
    only administrator's change of somebody's factors is the recorded reset."""
    admin = client_for(get_user_model().objects.create_superuser("it-admin", password=PASSWORD))
    for name in ("changelist", "add"):
        try:
            url = reverse(f"admin:otp_totp_totpdevice_{name}")
        except NoReverseMatch:
            continue
        assert admin.get(url).status_code == 404, url
    victim = users["desk"]
    planted = admin.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": victim.pk,
            "name": "planted",
            "confirmed": "on",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert planted.status_code == 404
    assert not TOTPDevice.objects.filter(user=victim, name="planted").exists()
    device = app_of(victim)
    assert admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_signing_in_again_with_the_password_does_not_clear_the_count_of_wrong_codes(users):
    """AXES_RESET_ON_SUCCESS cleared a name's failures when the password passed: whoever holds the
    password typed LIMIT-1 wrong codes, signed in again, and so on, never locked out. The count
    clears when the whole sign-in (the second factor too) succeeds."""
    recovery_codes_new(users["desk"])
    attacker = Client()
    password(attacker)
    for _ in range(LIMIT - 1):
        assert code(attacker, WRONG_RECOVERY_CODE).status_code == 200
    attacker = Client()
    assert password(attacker).status_code == 302  # the password is right and no lockout yet
    assert code(attacker, WRONG_RECOVERY_CODE).status_code == 429  # the LIMITth wrong code
    assert "_auth_user_id" not in attacker.session
    assert "locked_out" in SecurityEvent.objects.values_list("kind", flat=True)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_passing_the_second_factor_clears_the_count(users):
    client = Client()
    password(client)
    for _ in range(LIMIT - 1):
        code(client, WRONG_RECOVERY_CODE)
    assert code(client, code_for(users["desk"])).status_code == 302
    again = Client()
    password(again)
    for _ in range(LIMIT - 1):
        assert code(again, WRONG_RECOVERY_CODE).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("dash", ["ー", "ｰ", "‐", "−", "–", "—", "―", "_"])
def test_a_recovery_code_typed_with_a_japanese_long_sound_mark_or_another_dash_passes(users, dash):
    """An input method in Japanese mode types the hyphen key as 「ー」 (U+30FC); other dashes come
    from copying the printed codes. NFKC leaves them, so the right code was refused and counted
    as a wrong one towards the lockout."""
    codes = recovery_codes_new(users["desk"])
    client = client_for(users["desk"], second_factor=False)
    response = code(client, codes[0].replace("-", dash))
    assert response.status_code == 302 and response["Location"] == reverse("work:home")


@pytest.mark.django_db
def test_an_administrator_who_is_no_superuser_cannot_reset_a_superusers_factors(users):
    """The reset was allowed to anyone with the user admin's change permission, on any account: an
    administrator without superuser rights reset a superuser's factors, set their password on the
    same admin, and signed in as the superuser with an app of their own."""
    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    app_of(boss)
    helper = get_user_model().objects.create_user("helper", password=PASSWORD, is_staff=True)
    helper.user_permissions.add(
        Permission.objects.get(codename="change_user"), Permission.objects.get(codename="view_user")
    )
    client = client_for(helper)
    changelist = reverse("admin:auth_user_changelist")
    form = {"action": "reset_second_factors", "_selected_action": [boss.pk, users["desk"].pk]}
    for step in (form, {**form, "confirmed": "yes"}):
        response = client.post(changelist, step, follow=True)
        assert "スーパーユーザーだけがリセットできます" in response.content.decode()
    assert TOTPDevice.objects.filter(user=boss).exists()
    assert TOTPDevice.objects.filter(user=users["desk"]).exists()  # nothing of the selection
    assert not SecurityEvent.objects.filter(kind="factors_reset").exists()
    # A non-superuser's reset of other staff stays, as does a superuser's reset of a superuser.
    client.post(changelist, {**form, "_selected_action": [users["desk"].pk], "confirmed": "yes"})
    assert not TOTPDevice.objects.filter(user=users["desk"]).exists()
    other = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    client_for(other).post(changelist, {**form, "_selected_action": [boss.pk], "confirmed": "yes"})
    assert not TOTPDevice.objects.filter(user=boss).exists()
