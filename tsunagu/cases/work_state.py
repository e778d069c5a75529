"""The part of a case's work state that the cases app moves: when a case counts as stalled.

``Case.quiet_since`` is the day since which nobody has been reached (the last contact, else the
Tokyo day the case opened) and ``Case.stalled_on`` that day plus the stall days of the case's
current lead agency (``DEFAULT_STALL_DAYS`` without a lead). So "no contact for the lead agency's N
days" is the indexed comparison ``stalled_on <= today``. The services that change what it depends
on call :func:`stall_refresh` in their transaction: opening a case, handing over the lead, a
consent withdrawal that ends a lead, an agency's new stall days, and every change of the records
(``records.work_state``, which moves ``last_contact_on``). Decision 0017.
"""

from collections import defaultdict
from typing import Any

from django.db.models import DateField, Expression, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person

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
    index); the opening time, a sort key, always. One UPDATE, set-based; called by
    :func:`stall_refresh` (so by every service that moves the state), by
    ``plans.work_state.plan_review_refresh``, after a team row is added and after a case is
    closed or reopened. Returns the number of team rows written."""
    live = Case.objects.filter(pk=OuterRef("case_id")).exclude(status=CaseStatus.CLOSED)
    return CaseAgency.objects.filter(case__in=cases.values("pk"), until__isnull=True).update(
        next_action_on=Subquery(live.values("next_action_on")[:1], output_field=DateField()),
        stalled_on=Subquery(live.values("stalled_on")[:1], output_field=DateField()),
        unanswered_streak=Coalesce(
            Subquery(live.values("unanswered_streak")[:1], output_field=IntegerField()), Value(0)
        ),
        quiet_since=Subquery(live.values("quiet_since")[:1], output_field=DateField()),
        plan_review_on=Subquery(live.values("plan_review_on")[:1], output_field=DateField()),
        ages_out_on=Subquery(live.values("ages_out_on")[:1], output_field=DateField()),
        opened_at=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("opened_at")[:1]),
    )


def led_by(agency_id: int) -> QuerySet[CaseAgency, Any]:
    """The ids of the cases an agency currently leads (a subquery)."""
    return CaseAgency.objects.filter(agency_id=agency_id, role=TeamRole.LEAD, until__isnull=True).values("case_id")


def stall_refresh_led_by(agency_id: int) -> int:
    """After an agency's stall days changed: every case it currently leads."""
    return stall_refresh(Case.objects.filter(pk__in=led_by(agency_id)))


AGES_CHUNK = 1_000  # cases per round of :func:`ages_out_set` (IN lists, one bulk UPDATE)


def ages_out_day(births: list[Any], age_max: int | None) -> Any:
    """The day the first of these concerned persons (their birth dates) passes ``age_max``: their
    ``age_max + 1``-th birthday (a 2/29 birthday counts on 2/28 in a year without it); None
    without a limit or a birth date."""
    if age_max is None or not births:
        return None
    return min(add_years(birth, age_max + 1) for birth in births)


def ages_out_set(cases: QuerySet[Case]) -> int:
    """Recompute ``Case.ages_out_on`` of these cases from their household's concerned persons and
    the current lead agency's age limit, on the cases only (:func:`ages_out_refresh` also copies
    it onto the team rows). In Python, a thousand cases per round: the day is ``add_years``
    (its 2/29 rule is not the same date arithmetic on PostgreSQL and SQLite). Returns the number
    of cases whose day changed."""
    changed = 0
    rows = list(cases.order_by("pk").values_list("pk", "household_id", "ages_out_on"))
    for start in range(0, len(rows), AGES_CHUNK):
        chunk = rows[start : start + AGES_CHUNK]
        limits = dict(
            CaseAgency.objects.filter(
                case_id__in=[pk for pk, _h, _d in chunk], role=TeamRole.LEAD, until__isnull=True
            ).values_list("case_id", "agency__age_max")
        )
        births: dict[int, list[Any]] = defaultdict(list)
        concerned = Person.objects.filter(
            household_id__in={h for pk, h, _d in chunk if limits.get(pk) is not None},
            is_concerned=True,
            birth_date__isnull=False,
        )
        for household_id, birth in concerned.values_list("household_id", "birth_date"):
            births[household_id].append(birth)
        updates = []
        for pk, household_id, kept in chunk:
            day = ages_out_day(births.get(household_id, []), limits.get(pk))
            if day != kept:
                updates.append(Case(pk=pk, ages_out_on=day))
        Case.objects.bulk_update(updates, ["ages_out_on"])
        changed += len(updates)
    return changed


def ages_out_refresh(cases: QuerySet[Case]) -> int:
    """:func:`ages_out_set`, then the copy onto the cases' current team rows. Called when the
    lead agency changes (through :func:`stall_refresh`'s callers that hand over a lead), when an
    agency's age limit changes, and when a household's persons change (``people.signals``)."""
    changed = ages_out_set(cases)
    team_state_refresh(cases)
    return changed


def persons_changed_refresh(household_ids: list[int], **_signal: Any) -> None:
    """The receiver of ``people.signals.persons_changed``: the cases of these households, under
    their row locks (in number order, as every writer of the work state takes them)."""
    ids = list(
        Case.objects.select_for_update()
        .filter(household_id__in=household_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        ages_out_refresh(Case.objects.filter(pk__in=ids))


def ages_out_refresh_led_by(agency_id: int) -> int:
    """After an agency's age limit changed: :func:`ages_out_refresh` of every case it currently
    leads, under the cases' row locks taken (in number order, as :func:`persons_changed_refresh`
    takes them) before the births are read: a person's writer that holds them has read the old
    limit, so this must read its birth date after it commits, not before."""
    ids = list(
        Case.objects.select_for_update().filter(pk__in=led_by(agency_id)).order_by("pk").values_list("pk", flat=True)
    )
    return ages_out_refresh(Case.objects.filter(pk__in=ids))


def age_limits_changed_refresh(agency_ids: list[int], **_signal: Any) -> None:
    """The receiver of ``agencies.signals.age_limits_changed``: what the agency admin does after a
    new age limit (``cases/admin.py``), for every case these agencies lead."""
    for agency_id in agency_ids:
        ages_out_refresh_led_by(agency_id)
