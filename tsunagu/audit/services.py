"""Recording access to personal data (docs/quality.md S3)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tsunagu.audit.models import AccessEvent, RoleChange
from tsunagu.core.middleware import current_request
from tsunagu.core.types import User


def access_record(
    *,
    user: User | None,
    action: str,
    object_type: str,
    object_ids: Iterable[int],
    person_ids: Iterable[int | None] = (),
    case_id: int | None = None,
    reason: str = "",
    basis: str = "",
) -> AccessEvent:
    """Append one access event in the current transaction.

    Called by the object doors and services, never by views directly; an event is written even
    when a list is empty, because a search that found nobody is also a fact worth keeping.
    """
    info = current_request.get()
    signed_in = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        return AccessEvent.objects.create(
            user=signed_in,
            username=signed_in.get_username() if signed_in is not None else "",
            action=action,
            object_type=object_type,
            object_ids=sorted({int(i) for i in object_ids}),
            person_ids=sorted({int(i) for i in person_ids if i is not None}),
            case_id=case_id,
            ip=info.ip if info else "",
            path=info.path if info else "",
            reason=reason[:300],
            basis=basis[:20],
        )


def role_change_record(
    *,
    actor: User,
    subject: User,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    membership_id: int | None = None,
    reads_cases: bool = False,
) -> RoleChange:
    """Append one role change (membership granted, changed or revoked; account flags) in the
    current transaction. Called by ``agencies.services`` only (decision 0009)."""
    info = current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        return RoleChange.objects.create(
            actor=actor if authenticated else None,
            actor_username=actor.get_username() if authenticated else "",
            subject=subject,
            subject_username=subject.get_username(),
            kind=kind,
            membership_id=membership_id,
            before=before,
            after=after,
            reads_cases=reads_cases,
            ip=info.ip if info else "",
            path=info.path if info else "",
        )
