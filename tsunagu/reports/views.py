"""The council's statistics pages (issue 13): one page per section, its Excel and CSV files and
its print layout, all made from the same published tables (``render``). Who may open what is in
``access.py``; no page here shows or stores a person."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core.access import staff
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.reports import access, compose, excel
from tsunagu.reports.forms import ReportForm, day_text, period_text
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.render import RenderedTable
from tsunagu.reports.render import render as render_table
from tsunagu.reports.tables import publish

REPORT_ROLES = ("secretariat", "desk", "supervisor")


@dataclass(frozen=True)
class Built:
    section: str
    period: Period
    scope: Scope
    as_of: dt.date
    tables: list[RenderedTable]
    form: ReportForm
    audience: access.Audience

    @property
    def heading(self) -> excel.Heading:
        return excel.Heading(
            title=_("ひきこもり支援 進行管理 ─ {section}").format(section=access.SECTIONS[self.section]),
            period=period_text(self.period),
            scope=self.scope.label,
            as_of=day_text(self.as_of),
            made=_("作成：{when}").format(when=timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        )

    @property
    def threshold(self) -> int:
        return settings.TSUNAGU_REPORT_THRESHOLD

    def groups(self) -> list[tuple[str, list[RenderedTable]]]:
        grouped: dict[str, list[RenderedTable]] = {}
        for table in self.tables:
            grouped.setdefault(table.group, []).append(table)
        return list(grouped.items())


def build(request: AuthenticatedHttpRequest, section: str) -> Built:
    """The section's tables for the period and scope the request names, published. 404 when the
    user may not open that section for that scope (403 for nobody-at-all is the decorator's)."""
    audience = access.audience_of(request.user)
    raw_scope = request.GET.get("scope", "")
    scope = access.scope_parse(raw_scope, audience) if raw_scope else access.default_scope(audience)
    if not audience.may_open(section, scope):
        raise Http404
    form = ReportForm(request.GET, scopes=access.scope_choices(audience))
    period = form.period()
    as_of = compose.as_of_for(period)
    threshold = settings.TSUNAGU_REPORT_THRESHOLD
    tables = [render_table(publish(t, threshold)) for t in compose.section_tables(section, period, scope, as_of)]
    return Built(section, period, scope, as_of, tables, form, audience)


def _sections(built: Built, request: HttpRequest) -> list[tuple[str, str, str, bool]]:
    query = request.GET.urlencode()
    return [
        (
            key,
            str(access.SECTIONS[key]),
            reverse("reports:section", args=[key]) + (f"?{query}" if query else ""),
            key == built.section,
        )
        for key in built.audience.sections_for(built.scope)
    ]


@staff(roles=REPORT_ROLES)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    audience = access.audience_of(request.user)
    first = audience.sections_for(access.default_scope(audience))[0]
    return redirect("reports:section", first)


def _check_section(section: str) -> None:
    if section not in access.SECTIONS:
        raise Http404


@staff(roles=REPORT_ROLES)
def section(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    _check_section(section)
    built = build(request, section)
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return render(
        request,
        "reports/report.html",
        {
            "built": built,
            "sections": _sections(built, request),
            "xlsx_url": reverse("reports:xlsx", args=[section]) + suffix,
            "csv_url": reverse("reports:csv", args=[section]) + suffix,
            "print_url": reverse("reports:print", args=[section]) + suffix,
        },
    )


@staff(roles=REPORT_ROLES)
def print_view(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    _check_section(section)
    built = build(request, section)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/print.html",
        {"built": built, "back_url": reverse("reports:section", args=[section]) + (f"?{query}" if query else "")},
    )


def _filename(built: Built, extension: str) -> str:
    return f"tsunagu-{built.section}-{built.period.start:%Y%m%d}-{built.period.end:%Y%m%d}.{extension}"


@staff(roles=REPORT_ROLES)
def xlsx(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    _check_section(section)
    built = build(request, section)
    content = excel.workbook_bytes(built.heading, built.tables, built.threshold)
    response = HttpResponse(content, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(built, "xlsx")}"'
    return response


@staff(roles=REPORT_ROLES)
def csv(request: AuthenticatedHttpRequest, section: str) -> StreamingHttpResponse:
    _check_section(section)
    built = build(request, section)
    response = StreamingHttpResponse(
        excel.csv_lines(built.heading, built.tables, built.threshold), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(built, "csv")}"'
    return response
