"""The part of a case's work state that the cases app moves: when a case counts as stalled.

``Case.quiet_since`` is the day since which nobody has been reached (the last contact, else the
Tokyo day the case opened) and ``Case.stalled_on`` that day plus the stall days of the case's
current lead agency (``DEFAULT_STALL_DAYS`` without a lead). So "no contact for the lead agency's N
days" is the indexed comparison ``stalled_on <= today``. The services that change what it depends
on call :func:`stall_refresh` in their transaction: opening a case, handing over the lead, a
consent withdrawal that ends a lead, an agency's new stall days, and every change of the records
(``records.work_state``, which moves ``last_contact_on``). Decision 0017.
"""

from typing import Any

from django.db.models import DateField, Expression, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus

DEFAULT_STALL_DAYS = 30


class AddDays(Func):
    """``day + n`` days, ``n`` an integer expression, on PostgreSQL and SQLite."""

    arity = 2
    output_field = DateField()
    template = "(%(expressions)s)"
    arg_joiner = " + "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ", **extra
        )


def agency_lock(agency_id: int) -> None:
    """Lock an agency's row (FOR NO KEY UPDATE) until the transaction ends: the services that
    read its stall days for a case and the admin that changes them run one after the other."""
    list(Agency.objects.select_for_update(no_key=True).filter(pk=agency_id).values_list("pk", flat=True))


def case_lock(case_id: int) -> None:
    """Take the case's row lock for the rest of the transaction (PostgreSQL; SQLite writes one at a
    time anyway): the services that move the work state of one case take it first, so that two of
    them at once (two records, a record and a hand-off) leave the state of both."""
    Case.objects.select_for_update().filter(pk=case_id).values_list("pk").first()


def lead_stall_days(case_ref: str = "pk") -> Expression:
    """The stall days of the current lead agency of the case at ``case_ref``, else the default."""
    lead = CaseAgency.objects.filter(case_id=OuterRef(case_ref), role=TeamRole.LEAD, until__isnull=True)
    return Coalesce(
        Subquery(lead.values("agency__stall_days")[:1], output_field=IntegerField()), Value(DEFAULT_STALL_DAYS)
    )


def stall_refresh(cases: QuerySet[Case]) -> int:
    """Recompute ``quiet_since`` and ``stalled_on`` of these cases from their ``last_contact_on``,
    their opening and their lead agency: one UPDATE, set-based. Returns the number of cases."""
    quiet = Coalesce(F("last_contact_on"), TruncDate("opened_at"), output_field=DateField())
    written = cases.update(quiet_since=quiet, stalled_on=AddDays(quiet, lead_stall_days()))
    team_state_refresh(cases)
    return written


def team_state_refresh(cases: QuerySet[Case]) -> int:
    """Copy the work state of these cases onto their current team rows: the case's values while it
    is open, null and 0 once closed (so that a closed case leaves every section and every partial
    index). One UPDATE, set-based; called by :func:`stall_refresh` (so by every service that moves
    the state), after a team row is added and after a case is closed or reopened. Returns the
    number of team rows written."""
    live = Case.objects.filter(pk=OuterRef("case_id")).exclude(status=CaseStatus.CLOSED)
    return CaseAgency.objects.filter(case__in=cases.values("pk"), until__isnull=True).update(
        next_action_on=Subquery(live.values("next_action_on")[:1], output_field=DateField()),
        stalled_on=Subquery(live.values("stalled_on")[:1], output_field=DateField()),
        unanswered_streak=Coalesce(
            Subquery(live.values("unanswered_streak")[:1], output_field=IntegerField()), Value(0)
        ),
    )


def stall_refresh_led_by(agency_id: int) -> int:
    """After an agency's stall days changed: every case it currently leads."""
    led = CaseAgency.objects.filter(agency_id=agency_id, role=TeamRole.LEAD, until__isnull=True).values("case_id")
    return stall_refresh(Case.objects.filter(pk__in=led))
