"""One report section for the request's period and scope, as published tables: what the page,
the print view, the files and a meeting's snapshot are all made from."""

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
    tables = [render_table(p) for p in publish_all(compose.section_tables(section, period, scope, as_of), threshold)]
    return Built(section, period, scope, as_of, tables, form, audience)


def check_section(section: str) -> None:
    if section not in access.SECTIONS:
        raise Http404
