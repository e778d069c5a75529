"""Reads of referrals for the inbox and the work page; a fixed number of queries each."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Window
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


WORK_LIMIT = 50  # referrals per section of the work page; the rest is counted, the inbox lists them
# What the work page shows of a referral (templates/work/my_work.html): loading only these keeps
# up to 250 rows from building five full model instances each (decision 0024).
WORK_FIELDS = (
    "status",
    "due_on",
    "reason",
    "decline_reason",
    "answer_comment",
    "person",
    "case__id",
    "from_agency__name",
    "to_agency__name",
)


@dataclass
class ReferralWork:
    incoming: list[Referral] = field(default_factory=list)  # addressed to my agencies, unanswered
    to_meet: list[Referral] = field(default_factory=list)  # accepted by my agencies, no first meeting yet
    answers: list[Referral] = field(default_factory=list)  # answers to referrals I sent, not yet read
    questions: list[Referral] = field(default_factory=list)  # questions waiting for my reply
    overdue: list[Referral] = field(default_factory=list)  # escalated: for supervisors and the desk
    more: dict[str, int] = field(default_factory=dict)  # section -> referrals beyond those shown

    @property
    def empty(self) -> bool:
        return not (self.incoming or self.to_meet or self.answers or self.questions or self.overdue)

    def all(self) -> list[Referral]:
        return [*self.incoming, *self.to_meet, *self.answers, *self.questions, *self.overdue]


def referral_work(*, user: User, today: dt.date, limit: int = WORK_LIMIT) -> ReferralWork:
    """The referrals that wait for the user, by section, soonest due first: one query per section
    with its filter, order and ``limit`` in the database and the count of the rest (a window
    count), so that an agency with thousands of open referrals costs what one with ten does (the
    inbox lists them all). One access event for every referral shown."""
    context = staff_context(user)
    receiving = context.agency_ids(*RECEIVER_ROLES)
    supervised = context.agency_ids(Role.SUPERVISOR)
    mine = Q(created_by=user)
    sections: dict[str, Q] = {
        "incoming": Q(to_agency_id__in=receiving, status=ReferralStatus.REQUESTED),
        "to_meet": Q(to_agency_id__in=receiving, status=ReferralStatus.ACCEPTED),
        "answers": mine
        & Q(
            status__in=(ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET, ReferralStatus.DECLINED),
            sender_seen_at__isnull=True,
        ),
        "questions": mine & Q(status=ReferralStatus.REQUESTED, question_open=True),
    }
    escalated = Q(status=ReferralStatus.REQUESTED, escalated_at__isnull=False)
    if context.is_desk:
        sections["overdue"] = escalated
    elif supervised:
        sections["overdue"] = escalated & Q(from_agency_id__in=supervised)
    if not receiving:
        del sections["incoming"], sections["to_meet"]
    work = ReferralWork()
    shown: dict[int, Referral] = {}
    for name, wanted in sections.items():
        rows = list(
            Referral.objects.filter(wanted)
            .select_related("case", "from_agency", "to_agency")
            .only(*WORK_FIELDS)
            .annotate(section_total=Window(Count("pk")))
            .order_by("due_on", "pk")[:limit]
        )
        for referral in rows:
            referral.late = referral.is_open and referral.due_on < today  # type: ignore[attr-defined]
            shown.setdefault(referral.pk, referral)
        setattr(work, name, rows)
        work.more[name] = rows[0].section_total - len(rows) if rows else 0  # type: ignore[attr-defined]
    if shown:
        access_record(
            user=user,
            action=Action.LIST,
            object_type="referral",
            object_ids=list(shown),
            person_ids=[r.person_id for r in shown.values()],
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
