"""Exports of lists with personal data (issue 13 item 5): the user's case list and a meeting's
cases, as CSV and as Excel.

Only what the user may see: the case list's export reads the list page's own query
(``cases.selectors.case_list_queryset``, the case door's ``cases_visible_to`` with the page's
filters); a meeting's export finds the meeting through the meeting door's rule
(``meetings.access.meetings_visible_to``, 404 otherwise) and its cases through the rule of the
meeting page (``meetings.selectors.discussed_visible``, shown while the sharing window is open).
No free text leaves: no notes, no next action's text, no minutes.

Flat memory, whatever the length of the list: the rows are walked in the list's order by keyset
steps of ``EVENT_ROWS`` cases, each step one query that reads the step's rows whole, and each step
is recorded as one access event (action ``export``, the cases' ids, every person of their
households) in its own transaction *before* any of its rows is written, so that the file holds
nothing its events do not name. (Reading ids first and then the rows by ``IN`` lists of ids took
about half of the export's time at 100,000 rows.) The CSV streams
(``StreamingHttpResponse``) and its events are written as it goes, so a download broken off
halfway has recorded what left and little more; the Excel file is built inside the request's
transaction by ``reports.xlsx_stream`` (rows are deflated into a temporary file as they come)
and then streamed from that file
(``FileResponse``).

Text cells that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are written with a leading apostrophe, as OWASP advises for CSV
injection; numbers and dates are real cells.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import CASE_ROLES, MEETING_ROLES, TeamRole
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import Level, cases_seen_by
from tsunagu.cases.forms import case_list_form
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.cases.selectors import case_list_ordering, case_list_queryset
from tsunagu.core.access import staff
from tsunagu.core.middleware import current_request
from tsunagu.core.paging import Ordering
from tsunagu.core.templatetags.tsunagu import person_name_of
from tsunagu.core.types import AuthenticatedHttpRequest, User
from tsunagu.lib.wareki import format_wareki
from tsunagu.meetings.access import MEETING_BASIS, meetings_visible_to, sharing_window_open
from tsunagu.meetings.models import Decision, Meeting
from tsunagu.meetings.selectors import discussed_visible
from tsunagu.people.models import Person
from tsunagu.reports.xlsx_stream import BOLD, SheetWriter

# Cases per access event and per keyset step: one query reads them, their rows are held until
# written.
EVENT_ROWS = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# OWASP (CSV injection): a cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What each row reads of a case: one query per chunk, no model instances.
FIELDS = (
    "pk",
    "household_id",
    "household__label",
    "household__district__name",
    "status",
    "lead_worker_id",
    "lead_worker__last_name",
    "lead_worker__first_name",
    "lead_worker__username",
    "opened_at",
    "last_contact_on",
    "next_action_on",
    "in_full",
    "lead_agency",
)


@dataclass(frozen=True)
class Column:
    header: str
    width: int


def _columns(*, meeting: bool) -> list[Column]:
    columns = [
        Column(_("ケース番号"), 12),
        Column(_("世帯"), 24),
    ]
    if meeting:
        columns.append(Column(_("支援の対象者"), 24))
    columns += [
        Column(_("地区"), 12),
        Column(_("状態"), 10),
        Column(_("主担当機関"), 24),
        Column(_("主担当者"), 14),
        Column(_("開始日（和暦）"), 18),
        Column(_("開始日"), 12),
        Column(_("最後に会えた日"), 14),
        Column(_("次の対応の予定日"), 16),
    ]
    if meeting:
        columns.append(Column(_("決定事項の数"), 12))
    return columns


@dataclass
class ListExport:
    """One export: the cases the user may see, in the list's order, and how its reads are
    recorded."""

    user: User
    cases: QuerySet[Case]  # the access rule and the list's filters, with the annotations FIELDS reads
    ordering: Ordering
    title: str
    sheet: str
    filename: str
    reason: str
    basis: str = ""
    meeting: Meeting | None = None


def _with_lead(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The name of the case's current lead agency, by a join on the current lead row (at most one:
    the unique index case_one_open_lead), not a subquery per row."""
    lead = FilteredRelation("team", condition=Q(team__role=TeamRole.LEAD, team__until__isnull=True))
    return cases.annotate(lead_row=lead, lead_agency=F("lead_row__agency__name"))


def _stamp(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y%m%d-%H%M")


def _exported(user: User, now: dt.datetime) -> str:
    local = timezone.localtime(now)
    return _("出力日時：{when}　出力者：{who}").format(
        when=f"{format_wareki(local.date())} {local:%H:%M}", who=person_name_of(user)
    )


def case_list_export(request: AuthenticatedHttpRequest, *, fmt: str) -> ListExport:
    _form, filters = case_list_form(request.GET, user=request.user)
    now = timezone.now()
    cases = case_list_queryset(user=request.user, filters=filters, today=timezone.localdate(now))
    return ListExport(
        user=request.user,
        cases=_with_lead(cases),
        ordering=case_list_ordering(filters),
        title=_("支援ケースの一覧（取扱注意：個人情報）　{exported}").format(exported=_exported(request.user, now)),
        sheet=_("支援ケース"),
        filename=f"cases-{_stamp(now)}.{fmt}",
        reason=f"case list {fmt} {request.GET.urlencode()}".strip(),
    )


def meeting_export(request: AuthenticatedHttpRequest, pk: int, *, fmt: str) -> ListExport:
    user = request.user
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    now = timezone.now()
    # As the meeting page: the discussed cases' summaries while the sharing window is open.
    if meeting.discusses_cases and sharing_window_open(meeting, now):
        cases = Case.objects.filter(pk__in=discussed_visible(user=user, meeting=meeting).values("case_id"))
    else:
        cases = Case.objects.none()
    decisions = (
        Decision.objects.filter(meeting=meeting, case_id=OuterRef("pk"))
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The next action's day only for the cases the user reads in full (as on the case list).
    full = cases_seen_by(user, level=Level.FULL).filter(pk=OuterRef("pk"))
    cases = _with_lead(cases).annotate(
        in_full=Exists(full),
        decision_count=Coalesce(Subquery(decisions, output_field=IntegerField()), Value(0)),
    )
    held = timezone.localtime(meeting.held_at)
    return ListExport(
        user=user,
        cases=cases,
        ordering=Ordering.of("number", "pk"),
        title=_("会議「{title}」（{held}）で検討したケース（取扱注意：個人情報）　{exported}").format(
            title=meeting.title, held=format_wareki(held.date()), exported=_exported(user, now)
        ),
        sheet=_("検討したケース"),
        filename=f"meeting-{meeting.pk}-cases-{_stamp(now)}.{fmt}",
        reason=f"meeting {meeting.pk} ({meeting.sharing_basis})",
        basis=MEETING_BASIS,
        meeting=meeting,
    )


def _steps(export: ListExport, fields: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
    """The export's rows in the list's order, ``EVENT_ROWS`` at a time (the values of ``fields``,
    which start with the id and the household), by keyset: no OFFSET, nothing held between
    steps."""
    paths = [key.path for key in export.ordering.keys]
    names = list(dict.fromkeys([*fields, *paths]))
    ordered = export.cases.order_by(*export.ordering.order_by())
    after: list[Any] | None = None
    while True:
        step = ordered if after is None else ordered.filter(export.ordering.seek(after))
        rows = list(step.values_list(*names)[:EVENT_ROWS])
        if not rows:
            return
        yield rows
        if len(rows) < EVENT_ROWS:
            return
        after = export.ordering.values(dict(zip(names, rows[-1], strict=True)))


def _record(export: ListExport, rows: Sequence[Sequence[Any]]) -> None:
    """One access event for a step: its cases and every person of their households."""
    households = {row[1] for row in rows}
    with transaction.atomic(savepoint=False):
        access_record(
            user=export.user,
            action=Action.EXPORT,
            object_type="case",
            object_ids=[row[0] for row in rows],
            person_ids=Person.objects.filter(household_id__in=households).values_list("pk", flat=True),
            reason=export.reason,
            basis=export.basis,
        )


class _Row:
    """Turns the values read of a case into the export's cells (Python values: str, int, date,
    None), with the labels of the list page."""

    def __init__(self, export: ListExport) -> None:
        self.meeting = export.meeting is not None
        # Labels and 和暦 days once, not per row (a lazy translation costs a lookup each time).
        self.statuses = {value: str(label) for value, label in CaseStatus.choices}
        self.wareki: dict[dt.date, str] = {}
        self.unnamed = str(_("世帯 #{number}"))  # people.Household.display_name without a label
        self.dash = "—"
        self.tz = timezone.get_current_timezone()  # once: looking it up costs a context lookup a row
        self.repeated: dict[str, str] = {}  # districts, agencies and staff names, made safe once

    def household(self, pk: int, label: str) -> str:
        return safe_text(label) if label else self.unnamed.format(number=pk)

    def safe(self, text: str) -> str:
        """``safe_text`` of a text that repeats from row to row (a bounded cache)."""
        made = self.repeated.get(text)
        if made is None:
            if len(self.repeated) >= 4096:
                self.repeated.clear()
            made = self.repeated[text] = safe_text(text)
        return made

    def cells(self, row: Sequence[Any], names: str = "", decisions: int = 0) -> list[Any]:
        (
            pk,
            household_id,
            label,
            district,
            status,
            worker_id,
            last_name,
            first_name,
            username,
            opened_at,
            last_contact_on,
            next_action_on,
            in_full,
            lead_agency,
        ) = row[: len(FIELDS)]
        # Text cells leave made safe (``safe_text``); the case number, the status and the 和暦 day
        # are the system's own and never start like a formula.
        opened = opened_at.astimezone(self.tz).date()
        worker = self.safe(f"{last_name} {first_name}".strip() or username) if worker_id is not None else self.dash
        cells: list[Any] = [f"K-{pk:06d}", self.household(household_id, label)]
        if self.meeting:
            cells.append(safe_text(names) if names else self.dash)
        cells += [
            self.safe(district) if district else self.dash,
            self.statuses.get(status, status),
            self.safe(lead_agency) if lead_agency else self.dash,
            worker,
            self.wareki.get(opened) or self.wareki.setdefault(opened, format_wareki(opened)),
            opened,
            last_contact_on,
            next_action_on if in_full else None,
        ]
        if self.meeting:
            cells.append(decisions)
        return cells


def _rows(export: ListExport, cells: _Row, *, on_step: Any = None) -> Iterator[list[list[Any]]]:
    """The export's rows as cells, a step at a time; each step recorded before its rows leave.
    ``cells`` is made in the request (its labels in the request's language)."""
    fields = (*FIELDS, "decision_count") if export.meeting is not None else FIELDS
    for step in _steps(export, fields):
        (on_step or _record)(export, step)
        names: dict[int, list[str]] = {}
        if export.meeting is not None:
            concerned = Person.objects.filter(household_id__in={row[1] for row in step}, is_concerned=True).order_by(
                "pk"
            )
            for person in concerned:
                names.setdefault(person.household_id, []).append(person.display_name)
        yield [
            cells.cells(
                row,
                "、".join(names.get(row[1], [])),
                row[len(FIELDS)] if export.meeting is not None else 0,
            )
            for row in step
        ]


def safe_text(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading apostrophe before a formula's start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: Any) -> Any:
    """A cell of ``_Row.cells`` (its texts already made safe) as CSV text."""
    if value is None:
        return ""
    if type(value) is dt.date:
        return value.isoformat()
    return value


class _Echo:
    """A file that gives back what is written, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(export: ListExport) -> StreamingHttpResponse:
    """UTF-8 with a byte order mark (Excel then reads the Japanese right), CRLF lines; the header
    is the first line, so the file reads back as a table. Streamed; each step's event is written
    in its own transaction before its rows leave (the request's transaction is over by then)."""
    writer = csv.writer(_Echo())
    headers = [column.header for column in _columns(meeting=export.meeting is not None)]
    info = current_request.get()  # the event's address and path, kept for the steps written later

    def record(export: ListExport, step: Sequence[Sequence[Any]]) -> None:
        token = current_request.set(info)
        try:
            _record(export, step)
        finally:
            current_request.reset(token)

    cells = _Row(export)

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(headers)
        for chunk in _rows(export, cells, on_step=record):
            yield "".join(writer.writerow([_csv_value(v) for v in cells]) for cells in chunk)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(export: ListExport) -> FileResponse:
    """The workbook written row by row (``reports.xlsx_stream``, flat memory) into an anonymous
    temporary file, then streamed from it. Row 1: the title (what, when, who); row 2: the bold headers;
    then the rows, numbers and dates as real cells."""
    columns = _columns(meeting=export.meeting is not None)
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    sheet = None
    try:
        sheet = SheetWriter(file, sheet=export.sheet, widths=[c.width for c in columns], frozen=2)
        sheet.row([safe_text(export.title)], style=BOLD)
        sheet.row([column.header for column in columns], style=BOLD)
        for chunk in _rows(export, _Row(export)):
            for cells in chunk:
                sheet.row(cells)  # texts made safe by _Row
        sheet.close()
    except BaseException:
        if sheet is not None:
            sheet.abandon()
        file.close()
        raise
    file.seek(0)
    response = FileResponse(file, as_attachment=True, filename=export.filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@staff(CASE_ROLES)
def cases_csv(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The user's case list (the list page's filters and order, every page) as CSV."""
    return csv_response(case_list_export(request, fmt="csv"))


@staff(CASE_ROLES)
def cases_xlsx(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The user's case list (the list page's filters and order, every page) as Excel."""
    return xlsx_response(case_list_export(request, fmt="xlsx"))


@staff(MEETING_ROLES)
def meeting_cases_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The cases of a meeting the user may see, as the meeting page shows them, as CSV."""
    return csv_response(meeting_export(request, pk, fmt="csv"))


@staff(MEETING_ROLES)
def meeting_cases_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The cases of a meeting the user may see, as the meeting page shows them, as Excel."""
    return xlsx_response(meeting_export(request, pk, fmt="xlsx"))
