"""Writes of who works where: memberships (agency + role) and account flags (decision 0009).

Every change is recorded in the append-only role-change trail (``audit.RoleChange``) in the same
transaction. An administrator cannot give itself a role that reads case content: another
administrator must. The admin pages and every other caller go through these functions.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.agencies.models import CASE_ROLES, Membership, PasswordChangeRequired
from tsunagu.audit.models import RoleChangeKind
from tsunagu.audit.services import role_change_record

# The roles whose holders read case content (cases.access: team, emergency and desk access).
CASE_READING_ROLES = frozenset(CASE_ROLES)
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


class RoleChangeRefused(ValidationError):
    """The change would let the actor give itself access it may not give itself."""


def membership_state(membership: Membership | None) -> dict[str, Any]:
    """The snapshot stored in the trail: agency (id and name), role and whether it is active."""
    if membership is None:
        return {}
    return {
        "agency_id": membership.agency_id,
        "agency": str(membership.agency) if membership.agency_id else "",
        "role": membership.role,
        "active": bool(membership.active),
    }


def reads_cases(state: dict[str, Any]) -> bool:
    return bool(state) and bool(state.get("active")) and state.get("role") in CASE_READING_ROLES


def membership_refusal(*, actor: User, user_id: int | None, role: str, active: bool) -> str | None:
    """Why ``actor`` may not make this membership of ``user_id``, or None when it may.

    Used by the services and, to show the reason on the form, by the admin forms.
    """
    if actor is None or user_id is None or actor.pk != user_id:
        return None
    if active and role in CASE_READING_ROLES:
        return _(
            "自分自身に、ケースの内容を読める役割（窓口相談員・相談支援員・スーパーバイザー）を"
            "付与・変更することはできません。別の管理者に依頼してください。"
        )
    return None


def _refuse_if_needed(actor: User, membership: Membership) -> None:
    reason = membership_refusal(
        actor=actor, user_id=membership.user_id, role=membership.role, active=bool(membership.active)
    )
    if reason:
        raise RoleChangeRefused(reason, code="self_grant")


@transaction.atomic
def membership_grant(*, actor: User, membership: Membership) -> Membership:
    """Save a new membership (user, agency, role, active) and record it."""
    if membership.pk is not None:
        raise ValueError("membership_grant saves new memberships only")
    _refuse_if_needed(actor, membership)
    membership.save()
    after = membership_state(membership)
    role_change_record(
        actor=actor,
        subject=membership.user,
        kind=RoleChangeKind.GRANT,
        membership_id=membership.pk,
        before={},
        after=after,
        reads_cases=reads_cases(after),
    )
    return membership


@transaction.atomic
def membership_change(*, actor: User, membership: Membership) -> Membership:
    """Save the changed agency, role or active flag of an existing membership and record it.

    The user of a membership never changes: move a person by revoking and granting.
    """
    previous = Membership.objects.select_for_update().select_related("agency").get(pk=membership.pk)
    if previous.user_id != membership.user_id:
        raise ValueError("a membership's user never changes")
    before, after = membership_state(previous), membership_state(membership)
    if before == after:
        return membership
    _refuse_if_needed(actor, membership)
    membership.save()
    role_change_record(
        actor=actor,
        subject=membership.user,
        kind=RoleChangeKind.CHANGE,
        membership_id=membership.pk,
        before=before,
        after=after,
        reads_cases=reads_cases(after) and not reads_cases(before),
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Delete a membership and record what it was. Giving up one's own role is allowed."""
    previous = Membership.objects.select_for_update().select_related("agency", "user").filter(pk=membership.pk).first()
    if previous is None:
        return
    before = membership_state(previous)
    pk = previous.pk
    previous.delete()
    role_change_record(
        actor=actor,
        subject=previous.user,
        kind=RoleChangeKind.REVOKE,
        membership_id=pk,
        before=before,
        after={},
    )


def account_flags(user: User) -> dict[str, bool]:
    return {flag: bool(getattr(user, flag)) for flag in ACCOUNT_FLAGS}


def account_refusal(*, actor: User, user: User, before: dict[str, bool], after: dict[str, bool]) -> str | None:
    """An administrator cannot make itself a superuser (a superuser may grant itself anything)."""
    if actor is None or user.pk is None or actor.pk != user.pk:
        return None
    if after.get("is_superuser") and not before.get("is_superuser"):
        return _("自分自身をスーパーユーザーにすることはできません。別の管理者に依頼してください。")
    return None


@transaction.atomic
def account_save(*, actor: User, user: User) -> Any:
    """Save a user account; record its creation and every change of the active, staff and
    superuser flags."""
    created = user.pk is None
    if created:
        before: dict[str, bool] = {}
    else:
        previous = get_user_model().objects.select_for_update().get(pk=user.pk)
        before = account_flags(previous)
    after = account_flags(user)
    reason = account_refusal(actor=actor, user=user, before=before, after=after)
    if reason:
        raise RoleChangeRefused(reason, code="self_grant")
    user.save()
    if created and user.has_usable_password() and (actor is None or actor.pk != user.pk):
        PasswordChangeRequired.objects.get_or_create(user=user)  # the administrator chose it
    if created or before != after:
        role_change_record(actor=actor, subject=user, kind=RoleChangeKind.ACCOUNT, before=before, after=after)
    return user


@transaction.atomic
def account_password_set(*, actor: User, user: User) -> None:
    """Record that ``actor`` set ``user``'s password. Whoever sets another's password can sign in
    as them, so the change is marked when that user holds a role that reads case content, like a
    grant of that role. The password itself is never recorded."""
    holds = Membership.objects.filter(user=user, active=True, agency__active=True, role__in=CASE_READING_ROLES).exists()
    if actor is None or actor.pk != user.pk:
        PasswordChangeRequired.objects.get_or_create(user=user)  # its owner chooses their own next
    role_change_record(
        actor=actor,
        subject=user,
        kind=RoleChangeKind.ACCOUNT,
        before={},
        after={"password_set": True},
        reads_cases=holds and (actor is None or actor.pk != user.pk),
    )


@transaction.atomic
def account_delete(*, actor: User, user: User) -> None:
    """Delete a user account: its memberships are revoked (and recorded) first."""
    for membership in Membership.objects.filter(user=user).select_related("agency"):
        membership_revoke(actor=actor, membership=membership)
    role_change_record(
        actor=actor,
        subject=user,
        kind=RoleChangeKind.ACCOUNT,
        before=account_flags(user),
        after={"deleted": True},
    )
    user.delete()
