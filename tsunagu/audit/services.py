"""Recording access to personal data (docs/quality.md S3)."""

from collections.abc import Iterable
from dataclasses import dataclass
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
    # One INSERT is atomic by itself: inside the request's transaction (ATOMIC_REQUESTS) a
    # savepoint would only add two round trips to every page that reads personal data.
    with transaction.atomic(savepoint=False):
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


@dataclass(frozen=True)
class Read:
    """One access event of a bulk write (:func:`access_records`): what ``access_record`` takes
    besides the user and the action."""

    object_type: str
    object_ids: Iterable[int]
    person_ids: Iterable[int | None] = ()
    case_id: int | None = None
    reason: str = ""
    basis: str = ""


def access_records(*, user: User | None, action: str, reads: Iterable[Read]) -> list[AccessEvent]:
    """Append several access events in one INSERT, in the current transaction: a page that shows
    several cases' data (a meeting and its decisions) records one event per case, as
    :func:`access_record` would, without a round trip per event."""
    info = current_request.get()
    signed_in = user if user is not None and getattr(user, "is_authenticated", False) else None
    events = [
        AccessEvent(
            user=signed_in,
            username=signed_in.get_username() if signed_in is not None else "",
            action=action,
            object_type=read.object_type,
            object_ids=sorted({int(i) for i in read.object_ids}),
            person_ids=sorted({int(i) for i in read.person_ids if i is not None}),
            case_id=read.case_id,
            ip=info.ip if info else "",
            path=info.path if info else "",
            reason=read.reason[:300],
            basis=read.basis[:20],
        )
        for read in reads
    ]
    if not events:
        return []
    with transaction.atomic(savepoint=False):  # one INSERT: no savepoint (as access_record)
        return AccessEvent.objects.bulk_create(events)


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
