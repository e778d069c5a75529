"""Time the list queries (issue 10 item 5) on PostgreSQL: the query shape before keyset pagination
beside the one the lists run now, with EXPLAIN ANALYZE, on a populated database.

    python manage.py populate --scale ward
    python manage.py explain_lists [--runs 5] [--plans]

Reads only (EXPLAIN ANALYZE of SELECTs): it writes no access event. For each list it prints the
median server-side time (planning + execution) of the old query and of the new first page and a
deep page, and with ``--plans`` the new queries' plans. Run it against a scratch database only.
"""

import json
import platform
import statistics
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.selectors import READERS_ORDER, case_readers
from tsunagu.cases.access import cases_visible_to
from tsunagu.cases.models import Case, CaseStatus, TimelineEntry
from tsunagu.cases.selectors import CASE_SORTS, CaseFilters, case_list_filter
from tsunagu.cases.views import TIMELINE_ORDER
from tsunagu.core.paging import DEFAULT_SIZE, Ordering
from tsunagu.intake.access import consultations_visible_to
from tsunagu.intake.selectors import QUEUE_ORDER, RECENT_ORDER
from tsunagu.referrals.access import RECEIVER_ROLES, SENDER_ROLES
from tsunagu.referrals.models import Referral


def _sql(queryset: QuerySet[Any, Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def _explain(sql: str, params: tuple[Any, ...] | None) -> tuple[float, dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    return plan["Planning Time"] + plan["Execution Time"], plan


def _page(queryset: QuerySet[Any, Any], ordering: Ordering, depth: int) -> QuerySet[Any, Any]:
    """The keyset query of the page after the row at ``depth`` (the first page for 0)."""
    ordered = queryset.order_by(*ordering.order_by())
    if depth:
        rows = list(ordered[depth - 1 : depth])
        if rows:
            ordered = ordered.filter(ordering.seek(ordering.values(rows[0])))
    return ordered[: DEFAULT_SIZE + 1]


class Command(BaseCommand):
    help = "一覧の問い合わせを EXPLAIN ANALYZE で測ります（PostgreSQL、合成データ）。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--plans", action="store_true", help="print the plans of the new queries")

    def handle(self, *args, runs: int, plans: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only.")
        names = ["bench-sv", "bench-desk"]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        if len(users) < len(names):
            raise CommandError("Populate the database first (manage.py populate --scale ward).")
        supervisor, desk = users["bench-sv"], users["bench-desk"]
        self.stdout.write(
            f"{platform.node()} {platform.machine()} PostgreSQL {connection.pg_version}; "
            f"cases {Case.objects.count():,}, referrals {Referral.objects.count():,}, "
            f"access events {AccessEvent.objects.count():,}; median of {runs} runs, ms (planning + execution)"
        )
        self.runs, self.plans = runs, plans

        for who in (supervisor, desk):
            visible = cases_visible_to(who)
            old = visible.exclude(status=CaseStatus.CLOSED).select_related("household", "household__district")
            self.row(f"case list, {who.username}: old, 200 rows", [old.order_by("-opened_at")[:200]])
            new = case_list_filter(visible, CaseFilters(), today=timezone.localdate()).select_related(
                "household", "household__district", "lead_worker"
            )
            total = new.count()
            for name in ("opened", "next_action"):
                self.row(f"case list, {who.username}: {name}, page 1", [_page(new, CASE_SORTS[name], 0)], new=True)
                self.row(
                    f"case list, {who.username}: {name}, row {total // 2:,} of {total:,}",
                    [_page(new, CASE_SORTS[name], total // 2)],
                    new=True,
                )
            overdue = case_list_filter(visible, CaseFilters(overdue=True), today=timezone.localdate())
            self.row(f"case list, {who.username}: overdue, page 1", [_page(overdue, CASE_SORTS["opened"], 0)], new=True)

        queue = consultations_visible_to(desk).select_related("person", "case", "contact_agency", "household")
        untriaged = queue.filter(triaged_at__isnull=True)
        order = (F("triaged_at").asc(nulls_first=True), "-urgent", "received_at")
        self.row("desk queue, open: old, 100 rows", [untriaged.order_by(*order)[:100]])
        self.row("desk queue, all: old, 100 rows", [queue.order_by(*order)[:100]])
        self.row("desk queue, open: page 1", [_page(untriaged, QUEUE_ORDER, 0)], new=True)
        total = queue.count()
        self.row("desk queue, all: page 1", [_page(queue, RECENT_ORDER, 0)], new=True)
        self.row(
            f"desk queue, all: row {total // 2:,} of {total:,}", [_page(queue, RECENT_ORDER, total // 2)], new=True
        )

        context = staff_context(supervisor)
        receiving, sending = context.agency_ids(*RECEIVER_ROLES), context.agency_ids(*SENDER_ROLES)
        referrals = Referral.objects.select_related("case", "person", "from_agency", "to_agency", "created_by")
        old_inbox = referrals.filter(Q(to_agency_id__in=receiving) | Q(from_agency_id__in=sending))
        self.row("referral inbox, bench-sv: old, 500 rows", [old_inbox.order_by("-requested_at", "-pk")[:500]])
        received = referrals.filter(to_agency_id__in=receiving)
        sent = referrals.filter(from_agency_id__in=sending).exclude(to_agency_id__in=receiving)
        newest = Ordering.of("newest", "-requested_at", "-pk")
        self.row(
            "referral inbox, bench-sv: both boxes, page 1",
            [_page(received, newest, 0), _page(sent, newest, 0)],
            new=True,
        )
        self.row(
            "referral inbox, bench-sv: overdue received, page 1",
            [
                _page(
                    received.filter(status="requested", due_on__lt=timezone.localdate()),
                    Ordering.of("due", "due_on", "pk"),
                    0,
                )
            ],
            new=True,
        )

        longest = TimelineEntry.objects.values("case_id").order_by().annotate(n=Count("*")).order_by("-n").first()
        assert longest is not None
        timeline = TimelineEntry.objects.filter(case_id=longest["case_id"]).select_related("user")
        n = longest["n"]
        deep = max(0, n - 40)
        self.row(
            f"timeline ({n:,} entries): old, count + OFFSET {deep:,}",
            [_count_qs(timeline), timeline.order_by("-at", "-id")[deep : deep + 20]],
        )
        self.row(f"timeline ({n:,} entries): keyset, row {deep:,}", [_page(timeline, TIMELINE_ORDER, deep)], new=True)

        busiest = (
            AccessEvent.objects.filter(action=Action.VIEW, case_id__isnull=False)
            .values("case_id")
            .order_by()
            .annotate(n=Count("*"))
            .order_by("-n")
            .first()
        )
        assert busiest is not None
        readers = case_readers(case_id=busiest["case_id"])
        old_readers = (
            AccessEvent.objects.filter(case_id=busiest["case_id"], action=Action.VIEW)
            .values("user_id", "username", "basis")
            .annotate(last=Max("at"), count=Count("id"))
            .order_by("-last", "user_id", "basis")
        )
        self.row(
            f"who viewed ({busiest['n']:,} view events): old, count + page 1",
            [_count_qs(old_readers), old_readers[:20]],
        )
        self.row(f"who viewed ({busiest['n']:,} view events): page 1", [_page(readers, READERS_ORDER, 0)], new=True)

    def row(self, label: str, querysets: list[Any], *, new: bool = False) -> None:
        compiled = [_sql(q) if isinstance(q, QuerySet) else q for q in querysets]
        times = []
        last_plans = []
        for _ in range(self.runs):
            total = 0.0
            last_plans = []
            for sql, params in compiled:
                ms, plan = _explain(sql, params)
                total += ms
                last_plans.append(plan)
            times.append(total)
        count = f"{len(compiled)} quer{'y' if len(compiled) == 1 else 'ies'}"
        self.stdout.write(f"  {label:<62} {statistics.median(times):8.2f} ms  ({count})")
        if self.plans and new:
            for plan in last_plans:
                self.stdout.write(_plan_text(plan["Plan"], 6))


def _plan_text(node: dict[str, Any], indent: int) -> str:
    detail = node.get("Index Name") or node.get("Relation Name") or ""
    line = f"{' ' * indent}{node['Node Type']} {detail} rows={node.get('Actual Rows')} loops={node.get('Actual Loops')}"
    children = [_plan_text(child, indent + 2) for child in node.get("Plans", [])]
    return "\n".join([line, *children])


def _count_qs(queryset: QuerySet[Any, Any]) -> tuple[str, tuple[Any, ...] | None]:
    """The SQL of ``queryset.count()`` as Django ran it (what the Paginator ran for the number of
    pages), captured from the connection."""
    with CaptureQueriesContext(connection) as captured:
        queryset.count()
    return captured.captured_queries[-1]["sql"], None
