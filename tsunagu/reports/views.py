"""The council's statistics pages (issue 13): one page per section, its Excel and CSV files and
its print layout, all made from the same published tables (``render``); and the report of every
section the user may open (全項目), in print and as files, for the council's yearly papers. Who
may open what is in ``access.py``; no page here shows or stores a person.

The views that compute figures only read: they run without a transaction of their own
(``ATOMIC_REQUESTS`` is lifted), so that ``compose.sections_tables`` may run several statements at
once on their own connections (decision 0036, "Statements at once")."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsunagu.core.access import staff
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.reports import access, excel
from tsunagu.reports.build import REPORT_ROLES, Built, build, build_all, check_section
from tsunagu.reports.snapshot_views import snapshot_form


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


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def section(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    check_section(section)
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
            "all_print_url": reverse("reports:all_print") + suffix,
            "all_xlsx_url": reverse("reports:all_xlsx") + suffix,
            "snapshot_form": snapshot_form(request.user),
            "snapshot_url": reverse("reports:snapshot_create", args=[section]) + suffix,
        },
    )


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def print_view(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    check_section(section)
    built = build(request, section)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/print.html",
        {"built": built, "back_url": reverse("reports:section", args=[section]) + (f"?{query}" if query else "")},
    )


def _filename(built: Built, extension: str) -> str:
    return f"tsunagu-{built.section}-{built.period.start:%Y%m%d}-{built.period.end:%Y%m%d}.{extension}"


def _xlsx_response(built: Built) -> HttpResponse:
    content = excel.workbook_bytes(built.heading, built.tables, built.threshold)
    response = HttpResponse(content, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(built, "xlsx")}"'
    return response


def _csv_response(built: Built) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        excel.csv_lines(built.heading, built.tables, built.threshold), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(built, "csv")}"'
    return response


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def xlsx(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    check_section(section)
    built = build(request, section)
    return _xlsx_response(built)


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def csv(request: AuthenticatedHttpRequest, section: str) -> StreamingHttpResponse:
    check_section(section)
    built = build(request, section)
    return _csv_response(built)


# The report of every section the user may open.


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def all_print(request: AuthenticatedHttpRequest) -> HttpResponse:
    built = build_all(request)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/print.html",
        {"built": built, "back_url": reverse("reports:index") + (f"?{query}" if query else "")},
    )


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def all_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    built = build_all(request)
    return _xlsx_response(built)


@transaction.non_atomic_requests
@staff(roles=REPORT_ROLES)
def all_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    built = build_all(request)
    return _csv_response(built)
