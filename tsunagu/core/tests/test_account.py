"""A person's own account (S8, decision 0027): the sessions they are signed in with, each of
which they can end; a disabled account's sessions gone at once; an account whose password an
administrator chose must get its owner's own password before anything else."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tsunagu.agencies.models import PasswordChangeRequired
from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.models import StaffSession
from tsunagu.core.tests.personas import PASSWORD, client_for, second_factor_mark, sign_in

NOW = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
NEW_PASSWORD = "ひだまりの坂道を毎朝のぼる"  # 13 characters, not a common one
CHOSEN = "管理者が決めたパスワード９９"  # an administrator's choice for someone else


def terminal(ip, agent):
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_person_sees_where_they_are_signed_in_and_ends_another_session(users):
    office, home = terminal("10.1.2.3", "Edge (office)"), terminal("10.9.9.9", "Firefox (home)")
    assert sign_in(office, "desk", PASSWORD) and sign_in(home, "desk", PASSWORD)
    page = office.get(reverse("account:sessions"))
    html = page.content.decode()
    assert page.status_code == 200 and "Edge (office)" in html and "Firefox (home)" in html
    assert html.count("この端末のログインを終了") == 1  # not on the current one
    other = StaffSession.objects.get(user__username="desk", ip="10.9.9.9")
    assert office.post(reverse("account:session_end", args=[other.pk])).status_code == 302
    assert home.get(reverse("intake:queue")).status_code == 302  # back to the login page
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert office.get(reverse("intake:queue")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_ENDED, username="desk").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ending_all_other_sessions_keeps_this_one(users):
    clients = [terminal(f"10.0.0.{i}", f"browser {i}") for i in range(3)]
    for client in clients:
        assert sign_in(client, "desk", PASSWORD)
    clients[0].post(reverse("account:sessions_end_others"))
    assert [c.get(reverse("intake:queue")).status_code for c in clients] == [200, 302, 302]
    assert StaffSession.objects.filter(user__username="desk").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_person_cannot_end_someone_elses_session(users):
    assert sign_in(terminal("10.0.0.1", "a"), "lead_worker", PASSWORD)
    theirs = StaffSession.objects.get(user__username="lead_worker")
    desk = terminal("10.0.0.2", "b")
    assert sign_in(desk, "desk", PASSWORD)
    assert desk.post(reverse("account:session_end", args=[theirs.pk])).status_code == 404
    assert Session.objects.filter(session_key=theirs.session_key).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_signing_out_and_an_expired_session_leave_the_list(users):
    first, second = terminal("10.0.0.1", "a"), terminal("10.0.0.2", "b")
    assert sign_in(first, "desk", PASSWORD) and sign_in(second, "desk", PASSWORD)
    first.post(reverse("logout"))
    Session.objects.filter(session_key=StaffSession.objects.get(ip="10.0.0.2").session_key).update(
        expire_date=NOW - dt.timedelta(seconds=1)
    )
    third = terminal("10.0.0.3", "c")
    assert sign_in(third, "desk", PASSWORD)
    rows = third.get(reverse("account:sessions")).context["rows"]
    assert [r.ip for r in rows] == ["10.0.0.3"]
    assert StaffSession.objects.filter(user__username="desk").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_disabling_an_account_ends_all_its_sessions_at_once(users):
    clients = [terminal(f"10.0.0.{i}", "x") for i in range(2)]
    for client in clients:
        assert sign_in(client, "desk", PASSWORD)
    desk = get_user_model().objects.get(username="desk")
    desk.is_active = False
    desk.save()
    assert not StaffSession.objects.filter(user=desk).exists()
    assert not Session.objects.filter(session_key__in=[c.session.session_key for c in clients]).exists()


@pytest.fixture
def new_account(users):
    """An account an administrator created through the admin, with a password they chose."""
    admin = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    client = client_for(admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new-worker",
            "usable_password": "true",
            "password1": "最初の仮パスワード１２３４",
            "password2": "最初の仮パスワード１２３４",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return get_user_model().objects.get(username="new-worker")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_account_an_administrator_created_must_choose_its_own_password_first(new_account):
    assert PasswordChangeRequired.objects.filter(user=new_account).exists()
    client = terminal("10.0.0.1", "x")
    assert sign_in(client, "new-worker", "最初の仮パスワード１２３４")
    for url in (reverse("work:home"), reverse("account:sessions"), reverse("intake:queue")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account:password_change")), url
    page = client.get(reverse("account:password_change")).content.decode()
    assert "ご自分だけが知っているパスワードに変更してください" in page
    weak = client.post(
        reverse("account:password_change"),
        {"old_password": "最初の仮パスワード１２３４", "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200 and PasswordChangeRequired.objects.filter(user=new_account).exists()
    done = client.post(
        reverse("account:password_change"),
        {"old_password": "最初の仮パスワード１２３４", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert not PasswordChangeRequired.objects.filter(user=new_account).exists()
    assert client.get(reverse("account:sessions")).status_code == 200  # this session goes on
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, username="new-worker").exists()
    assert client.post(reverse("logout")).status_code == 302
    assert sign_in(terminal("10.0.0.1", "x"), "new-worker", NEW_PASSWORD)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_password_an_administrator_set_for_someone_else_must_be_replaced_too(users):
    admin = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    desk = get_user_model().objects.get(username="desk")
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[desk.pk]),
        {"password1": "管理者が決めたパスワード９９", "password2": "管理者が決めたパスワード９９"},
    )
    assert response.status_code == 302
    assert PasswordChangeRequired.objects.filter(user=desk).exists()
    client = terminal("10.0.0.1", "x")
    assert sign_in(client, "desk", "管理者が決めたパスワード９９")
    assert client.get(reverse("intake:queue"))["Location"].startswith(reverse("account:password_change"))
    assert client.post(reverse("logout")).status_code == 302  # signing out stays possible


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_changing_ones_own_password_ends_the_other_sessions(users):
    here, there = terminal("10.0.0.1", "x"), terminal("10.0.0.2", "y")
    assert sign_in(here, "desk", PASSWORD) and sign_in(there, "desk", PASSWORD)
    response = here.post(
        reverse("account:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(reverse("intake:queue")).status_code == 200
    assert there.get(reverse("intake:queue")).status_code == 302
    assert [r.ip for r in StaffSession.objects.filter(user__username="desk")] == ["10.0.0.1"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_keeping_the_administrators_password_is_not_choosing_ones_own(users):
    admin = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    desk = get_user_model().objects.get(username="desk")
    client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[desk.pk]),
        {"usable_password": "true", "password1": CHOSEN, "password2": CHOSEN},
    )
    client = terminal("10.0.0.1", "x")
    assert sign_in(client, "desk", CHOSEN)
    response = client.post(
        reverse("account:password_change"),
        {"old_password": CHOSEN, "new_password1": CHOSEN, "new_password2": CHOSEN},
    )
    assert response.status_code == 200
    assert "今のパスワードとは違うパスワードにしてください" in response.content.decode()
    assert PasswordChangeRequired.objects.filter(user=desk).exists()
    assert client.get(reverse("intake:queue"))["Location"].startswith(reverse("account:password_change"))


@pytest.fixture
def admin_with_chosen_password(users):
    """An administrator whose password another administrator set: it must be replaced too."""
    admin = get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    other = get_user_model().objects.create_superuser("it-admin2", password=PASSWORD)
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[other.pk]),
        {"usable_password": "true", "password1": CHOSEN, "password2": CHOSEN},
    )
    assert response.status_code == 302
    return other


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_admin_site_is_no_way_around_the_password_change(admin_with_chosen_password):
    client = terminal("10.0.0.1", "x")
    response = client.post(reverse("admin:login"), {"username": "it-admin2", "password": CHOSEN, "next": "/admin/"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mfa:verify"))  # the second factor first
    second_factor_mark(client, admin_with_chosen_password)
    for url in (
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:password_change"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account:password_change")), url
    assert client.post(reverse("admin:auth_user_add"), {"username": "x"}).status_code == 302
    assert not get_user_model().objects.filter(username="x").exists()
    assert client.post(reverse("admin:logout"))["Location"] == reverse("login")  # signing out stays possible
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_administrators_own_new_password_from_the_admin_is_the_account_page(users):
    """The admin's 「パスワードの変更」 changed the password without a record, and the row of this
    session kept the old key, so this terminal left the list of one's sessions."""
    get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    client = terminal("10.0.0.1", "x")
    assert sign_in(client, "it-admin", PASSWORD)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("account:password_change")
    client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert get_user_model().objects.get(username="it-admin").check_password(PASSWORD)  # not changed there
    rows = client.get(reverse("account:sessions")).context["rows"]
    assert [r.session_key for r in rows] == [client.session.session_key]
