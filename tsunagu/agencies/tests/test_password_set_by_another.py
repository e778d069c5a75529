"""Reviewer's finding (issue 8, defect 6 by another path). An administrator cannot give itself the
desk role, but could set the desk worker's password in /admin/ and sign in as them: nothing reached
the append-only role-change trail (only Django's own admin log, which the application's database
role may delete). Setting another user's password is recorded, marked when that user reads case
content, and shown to the central desk's supervisors."""

import pytest
from django.urls import reverse

from tsunagu.agencies.models import Role
from tsunagu.audit.models import RoleChange
from tsunagu.core.tests.personas import client_for, make_user

NEW_PASSWORD = "another-long-password-77"


@pytest.fixture
def admin_b(reference):
    return make_user("admin_b", "ward-seikatsu-fukushi", Role.ADMIN, is_staff=True, is_superuser=True)


def set_password(actor, user):
    return client_for(actor).post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


@pytest.mark.django_db
def test_setting_a_desk_workers_password_is_recorded_and_marked(users, admin_b):
    desk = users["desk"]
    response = set_password(admin_b, desk)
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.check_password(NEW_PASSWORD)
    change = RoleChange.objects.get(subject=desk)
    assert change.actor == admin_b and change.kind == "account"
    assert change.after == {"password_set": True}
    assert change.reads_cases
    assert change.path == reverse("admin:auth_user_password_change", args=[desk.pk])


@pytest.mark.django_db
def test_the_desk_supervisors_see_it_on_the_role_change_page(users, admin_b):
    set_password(admin_b, users["desk"])
    desk_supervisor = make_user("desk_supervisor", "link", Role.SUPERVISOR)
    page = client_for(desk_supervisor).get(reverse("audit:role_changes")).content.decode()
    assert "パスワードを設定" in page and "admin_b" in page


@pytest.mark.django_db
def test_a_refused_password_form_records_nothing(users, admin_b):
    response = client_for(admin_b).post(
        reverse("admin:auth_user_password_change", args=[users["desk"].pk]),
        {"password1": NEW_PASSWORD, "password2": "different-password-88", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not RoleChange.objects.exists()


@pytest.mark.django_db
def test_setting_the_password_of_a_user_who_reads_no_cases_is_recorded_unmarked(users, admin_b):
    set_password(admin_b, users["partner"])
    change = RoleChange.objects.get(subject=users["partner"])
    assert change.after == {"password_set": True} and not change.reads_cases
