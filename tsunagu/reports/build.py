"""One report section for the request's period and scope, as published tables: what the page,
the print view, the files and a meeting's snapshot are all made from. Also the report of every
section the user may open (``ALL``: 全項目, the year's report for the council on paper and in
Excel), made of the same published tables as the section pages."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.reports import access, compose, excel
from tsunagu.reports.forms import ReportForm, day_text, period_text
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.render import RenderedTable
from tsunagu.reports.render import render as render_table
from tsunagu.reports.tables import publish_all

REPORT_ROLES = ("secretariat", "desk", "supervisor")
ALL = "all"  # the report of every section the user may open for the scope


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
        name = _("全項目") if self.section == ALL else access.SECTIONS[self.section]
        return excel.Heading(
            title=_("ひきこもり支援 進行管理 ─ {section}").format(section=name),
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


def _request_scope(request: AuthenticatedHttpRequest) -> tuple[access.Audience, Scope]:
    audience = access.audience_of(request.user)
    raw_scope = request.GET.get("scope", "")
    scope = access.scope_parse(raw_scope, audience) if raw_scope else access.default_scope(audience)
    return audience, scope


def _period(request: AuthenticatedHttpRequest, audience: access.Audience) -> tuple[ReportForm, Period, dt.date]:
    form = ReportForm(request.GET, scopes=access.scope_choices(audience))
    period = form.period()
    return form, period, compose.as_of_for(period)


def build(request: AuthenticatedHttpRequest, section: str) -> Built:
    """The section's tables for the period and scope the request names, published. 404 when the
    user may not open that section for that scope (403 for nobody-at-all is the decorator's)."""
    audience, scope = _request_scope(request)
    if not audience.may_open(section, scope):
        raise Http404
    form, period, as_of = _period(request, audience)
    threshold = settings.TSUNAGU_REPORT_THRESHOLD
    tables = [render_table(p) for p in publish_all(compose.section_tables(section, period, scope, as_of), threshold)]
    return Built(section, period, scope, as_of, tables, form, audience)


def build_all(request: AuthenticatedHttpRequest) -> Built:
    """Every section the user may open for the request's scope, in the sections' order, each
    published as its own page publishes it (so every figure is the one on that page); the sections
    computed several at once where the database allows (``compose.sections_tables``). 404 when the
    user may open no section for that scope."""
    audience, scope = _request_scope(request)
    sections = audience.sections_for(scope)
    if not sections:
        raise Http404
    form, period, as_of = _period(request, audience)
    threshold = settings.TSUNAGU_REPORT_THRESHOLD
    computed = compose.sections_tables(sections, period, scope, as_of)
    tables = [render_table(p) for section in sections for p in publish_all(computed[section], threshold)]
    return Built(ALL, period, scope, as_of, tables, form, audience)


def check_section(section: str) -> None:
    if section not in access.SECTIONS:
        raise Http404
