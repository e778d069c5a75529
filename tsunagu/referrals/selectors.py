"""Reads of referrals for the inbox and the work page; a fixed number of queries each."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import QueryDict

from tsunagu.agencies.models import Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.core.paging import DEFAULT_SIZE, Ordering, Page, paginate
from tsunagu.core.types import User
from tsunagu.referrals.access import RECEIVER_ROLES, SENDER_ROLES
from tsunagu.referrals.models import Referral, ReferralStatus

RELATED = ("case", "person", "from_agency", "to_agency", "created_by")


@dataclass
class ReferralWork:
    incoming: list[Referral] = field(default_factory=list)  # addressed to my agencies, unanswered
    to_meet: list[Referral] = field(default_factory=list)  # accepted by my agencies, no first meeting yet
    answers: list[Referral] = field(default_factory=list)  # answers to referrals I sent, not yet read
    questions: list[Referral] = field(default_factory=list)  # questions waiting for my reply
    overdue: list[Referral] = field(default_factory=list)  # escalated: for supervisors and the desk

    @property
    def empty(self) -> bool:
        return not (self.incoming or self.to_meet or self.answers or self.questions or self.overdue)

    def all(self) -> list[Referral]:
        return [*self.incoming, *self.to_meet, *self.answers, *self.questions, *self.overdue]


def referral_work(*, user: User, today: dt.date) -> ReferralWork:
    context = staff_context(user)
    receiving = context.agency_ids(*RECEIVER_ROLES)
    supervised = context.agency_ids(Role.SUPERVISOR)
    mine = Q(created_by=user)
    wanted = (
        Q(to_agency_id__in=receiving, status__in=(ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED))
        | (mine & Q(status=ReferralStatus.REQUESTED, question_open=True))
        | (
            mine
            & Q(
                status__in=(ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET, ReferralStatus.DECLINED),
                sender_seen_at__isnull=True,
            )
        )
    )
    escalated = Q(status=ReferralStatus.REQUESTED, escalated_at__isnull=False)
    if context.is_desk:
        wanted |= escalated
    elif supervised:
        wanted |= escalated & Q(from_agency_id__in=supervised)
    rows = list(Referral.objects.filter(wanted).select_related(*RELATED).order_by("due_on", "pk"))
    work = ReferralWork()
    for referral in rows:
        referral.late = referral.is_open and referral.due_on < today  # type: ignore[attr-defined]
        to_me = referral.to_agency_id in receiving
        if to_me and referral.status == ReferralStatus.REQUESTED:
            work.incoming.append(referral)
        elif to_me and referral.status == ReferralStatus.ACCEPTED:
            work.to_meet.append(referral)
        if referral.created_by_id == user.pk:
            if referral.status == ReferralStatus.REQUESTED and referral.question_open:
                work.questions.append(referral)
            elif referral.answered and referral.sender_seen_at is None:
                work.answers.append(referral)
        if (
            referral.status == ReferralStatus.REQUESTED
            and referral.escalated_at is not None
            and (context.is_desk or referral.from_agency_id in supervised)
        ):
            work.overdue.append(referral)
    if rows:
        access_record(
            user=user,
            action=Action.LIST,
            object_type="referral",
            object_ids=[r.pk for r in rows],
            person_ids=[r.person_id for r in rows],
            reason="referral work",
        )
    return work


INBOX_SORTS = {
    "newest": Ordering.of("newest", "-requested_at", "-pk"),
    "due": Ordering.of("due", "due_on", "pk"),
}


@dataclass(frozen=True)
class InboxFilters:
    """``box``: "received", "sent" or "" for both; ``agency_id``: the other side (the sender of
    a received referral, the receiver of a sent one); None or False leave a filter off."""

    box: str = ""
    status: str | None = None
    overdue: bool = False
    agency_id: int | None = None
    sort: str = "newest"


@dataclass
class Inbox:
    received: Page[Referral]
    sent: Page[Referral]


def referral_inbox(
    *, user: User, filters: InboxFilters, params: QueryDict, today: dt.date, size: int = DEFAULT_SIZE
) -> Inbox:
    """One page of the referrals received by my agencies and one of those they sent (each with
    its own cursor, ``received`` and ``sent``), filtered and ordered by the database: two
    queries of at most ``size + 1`` rows, however many referrals the agency has."""
    context = staff_context(user)
    receiving = context.agency_ids(*RECEIVER_ROLES)
    sending = context.agency_ids(*SENDER_ROLES)
    ordering = INBOX_SORTS.get(filters.sort, INBOX_SORTS["newest"])
    common = Referral.objects.select_related(*RELATED)
    if filters.status:
        common = common.filter(status=filters.status)
    if filters.overdue:
        common = common.filter(status=ReferralStatus.REQUESTED, due_on__lt=today)
    received_rows = common.filter(to_agency_id__in=receiving)
    sent_rows = common.filter(from_agency_id__in=sending).exclude(to_agency_id__in=receiving)
    if filters.agency_id is not None:
        received_rows = received_rows.filter(from_agency_id=filters.agency_id)
        sent_rows = sent_rows.filter(to_agency_id=filters.agency_id)
    empty: Page[Referral] = Page(rows=[])
    inbox = Inbox(
        received=paginate(received_rows, ordering, params, param="received", size=size, anchor="received")
        if receiving and filters.box in ("", "received")
        else empty,
        sent=paginate(sent_rows, ordering, params, param="sent", size=size, anchor="sent")
        if sending and filters.box in ("", "sent")
        else empty,
    )
    rows = [*inbox.received, *inbox.sent]
    access_record(
        user=user,
        action=Action.LIST,
        object_type="referral",
        object_ids=[r.pk for r in rows],
        person_ids=[r.person_id for r in rows],
        reason="referral inbox",
    )
    return inbox
