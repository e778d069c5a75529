"""Issue 8 defect 6: memberships and roles change only through agencies.services, recorded in the
append-only role-change trail; an administrator cannot give itself a role that reads case content;
the central desk's supervisors see every change (decision 0009)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from tsunagu.agencies import services
from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.audit.models import AppendOnlyError, RoleChange
from tsunagu.core.tests.personas import client_for, make_user

ADMIN_AGENCY = "ward-seikatsu-fukushi"


@pytest.fixture
def admin_a(reference):
    return make_user("admin_a", ADMIN_AGENCY, Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_b(reference):
    return make_user("admin_b", ADMIN_AGENCY, Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def desk_supervisor(reference):
    return make_user("desk_supervisor", "link", Role.SUPERVISOR, last_name="窓口", first_name="監督")


def link():
    return Agency.objects.get(code="link")


def add_membership(client, user, role=Role.DESK, agency=None):
    return client.post(
        reverse("admin:agencies_membership_add"),
        {"user": user.pk, "agency": (agency or link()).pk, "role": role, "active": "on"},
    )


def user_change_data(user, memberships, extra_rows=()):
    """The POST of the admin's user page, with its memberships inline."""
    rows = [
        {"id": m.pk, "agency": m.agency_id, "role": m.role, "active": "on" if m.active else ""} for m in memberships
    ]
    rows += list(extra_rows)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value != "" and value is not None:
                data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-user"] = user.pk
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DESK, Role.CASEWORKER, Role.SUPERVISOR])
def test_an_administrator_cannot_give_itself_a_role_that_reads_cases(admin_a, role):
    before = Membership.objects.count()
    response = add_membership(client_for(admin_a), admin_a, role)
    assert response.status_code == 200
    assert "別の管理者に依頼してください" in response.content.decode()
    assert Membership.objects.count() == before
    assert not RoleChange.objects.exists()


@pytest.mark.django_db
def test_the_refusal_also_holds_on_the_user_page_inline(admin_a):
    own = admin_a.memberships.get()
    response = client_for(admin_a).post(
        reverse("admin:auth_user_change", args=[admin_a.pk]),
        user_change_data(admin_a, [own], [{"agency": link().pk, "role": Role.DESK, "active": "on"}]),
    )
    assert response.status_code == 200
    assert "別の管理者に依頼してください" in response.content.decode()
    assert list(admin_a.memberships.values_list("role", flat=True)) == [Role.ADMIN]
    assert not RoleChange.objects.exists()


@pytest.mark.django_db
def test_changing_ones_own_admin_membership_into_the_desk_is_refused(admin_a):
    own = admin_a.memberships.get()
    response = client_for(admin_a).post(
        reverse("admin:agencies_membership_change", args=[own.pk]),
        {"agency": own.agency_id, "role": Role.SUPERVISOR, "active": "on"},
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert not RoleChange.objects.exists()


@pytest.mark.django_db
def test_another_administrators_grant_works_and_is_recorded(admin_a, admin_b):
    response = add_membership(client_for(admin_b), admin_a, Role.DESK)
    assert response.status_code == 302
    membership = Membership.objects.get(user=admin_a, agency=link())
    assert membership.role == Role.DESK
    change = RoleChange.objects.get()
    assert (change.actor, change.subject, change.kind, change.membership_id) == (
        admin_b,
        admin_a,
        "grant",
        membership.pk,
    )
    assert change.before == {}
    assert change.after == {"agency_id": link().pk, "agency": str(link()), "role": "desk", "active": True}
    assert change.reads_cases
    assert change.path == reverse("admin:agencies_membership_add")


@pytest.mark.django_db
def test_changes_and_deletions_through_the_user_page_are_recorded(admin_a, admin_b, users):
    worker = users["lead_worker"]
    membership = worker.memberships.get()
    client = client_for(admin_b)
    data = user_change_data(worker, [membership])
    data["memberships-0-role"] = Role.SUPERVISOR
    assert client.post(reverse("admin:auth_user_change", args=[worker.pk]), data).status_code == 302
    change = RoleChange.objects.get()
    assert (change.kind, change.before["role"], change.after["role"]) == ("change", "caseworker", "supervisor")

    membership.refresh_from_db()
    data = user_change_data(worker, [membership])
    data["memberships-0-DELETE"] = "on"
    assert client.post(reverse("admin:auth_user_change", args=[worker.pk]), data).status_code == 302
    assert not worker.memberships.exists()
    revoke = RoleChange.objects.order_by("-id").first()
    assert (revoke.kind, revoke.actor, revoke.subject, revoke.before["role"], revoke.after) == (
        "revoke",
        admin_b,
        worker,
        "supervisor",
        {},
    )


@pytest.mark.django_db
def test_deleting_a_membership_page_and_bulk_action_are_recorded(admin_b, users):
    client = client_for(admin_b)
    desk_membership = users["desk"].memberships.get()
    response = client.post(reverse("admin:agencies_membership_delete", args=[desk_membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    others = [users["outsider"].memberships.get().pk, users["partner"].memberships.get().pk]
    response = client.post(
        reverse("admin:agencies_membership_changelist"),
        {"action": "delete_selected", "_selected_action": others, "post": "yes"},
    )
    assert response.status_code == 302
    revoked = RoleChange.objects.filter(kind="revoke").order_by("id")
    assert sorted(c.subject_username for c in revoked) == ["desk", "outsider", "partner"]
    assert not Membership.objects.filter(pk__in=[desk_membership.pk, *others]).exists()


@pytest.mark.django_db
def test_account_flags_are_recorded_and_self_promotion_to_superuser_refused(admin_b, reference):
    staff_admin = make_user("staff_admin", ADMIN_AGENCY, Role.ADMIN, is_staff=True)
    staff_admin.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    data = user_change_data(staff_admin, [staff_admin.memberships.get()])
    data["is_superuser"] = "on"
    response = client_for(staff_admin).post(reverse("admin:auth_user_change", args=[staff_admin.pk]), data)
    assert response.status_code == 200
    staff_admin.refresh_from_db()
    assert not staff_admin.is_superuser
    assert not RoleChange.objects.exists()

    data.pop("is_active")
    response = client_for(admin_b).post(reverse("admin:auth_user_change", args=[staff_admin.pk]), data)
    assert response.status_code == 302
    change = RoleChange.objects.get()
    assert change.kind == "account"
    assert change.before == {"is_active": True, "is_staff": True, "is_superuser": False}
    assert change.after == {"is_active": False, "is_staff": True, "is_superuser": True}


@pytest.mark.django_db
def test_a_service_refuses_the_self_grant_too(admin_a):
    with pytest.raises(services.RoleChangeRefused):
        services.membership_grant(
            actor=admin_a, membership=Membership(user=admin_a, agency=link(), role=Role.CASEWORKER)
        )
    assert not Membership.objects.filter(user=admin_a, agency=link()).exists()
    # Giving up one's own role is allowed, and recorded.
    services.membership_revoke(actor=admin_a, membership=admin_a.memberships.get())
    assert RoleChange.objects.get().kind == "revoke"


@pytest.mark.django_db
def test_the_role_change_trail_is_append_only(admin_a, admin_b):
    add_membership(client_for(admin_b), admin_a)
    change = RoleChange.objects.get()
    change.kind = "revoke"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()


@pytest.mark.django_db
def test_the_desk_supervisors_see_the_change_from_their_work_page(admin_a, admin_b, desk_supervisor):
    add_membership(client_for(admin_b), admin_a, Role.DESK)
    client = client_for(desk_supervisor)
    work = client.get(reverse("work:my_work")).content.decode()
    assert reverse("audit:role_changes") in work
    response = client.get(reverse("audit:role_changes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "admin_a" in page and "admin_b" in page
    assert "窓口相談員" in page and "ケースを読める役割" in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["lead_worker", "supervisor", "outsider", "desk", "admin_user", "secretariat"])
def test_nobody_else_sees_the_role_changes(users, persona):
    client = client_for(users[persona])
    assert client.get(reverse("audit:role_changes")).status_code in (403, 404)
    assert reverse("audit:role_changes") not in client.get(reverse("work:my_work")).content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login(reference):
    response = client_for(None).get(reverse("audit:role_changes"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('audit:role_changes')}"


@pytest.mark.django_db
def test_a_deleted_user_keeps_its_history(admin_b, reference):
    gone = make_user("gone_user", "merkmal", Role.CASEWORKER)
    response = client_for(admin_b).post(reverse("admin:auth_user_delete", args=[gone.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="gone_user").exists()
    kinds = list(RoleChange.objects.filter(subject_username="gone_user").order_by("id").values_list("kind", flat=True))
    assert kinds == ["revoke", "account"]


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("statement", ["UPDATE audit_rolechange SET kind = 'revoke'", "DELETE FROM audit_rolechange"])
def test_postgres_refuses_update_and_delete_on_the_role_change_trail(admin_a, admin_b, statement):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    add_membership(client_for(admin_b), admin_a)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert RoleChange.objects.get().kind == "grant"
