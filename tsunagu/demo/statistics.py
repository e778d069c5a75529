"""The council's statistics in the demo (issue 13): the secretariat's estimates for the survey's
「把握率」, and this year's survey attached to the demo council meeting as its material."""

from django.conf import settings

from tsunagu.demo.run import DemoRun
from tsunagu.meetings.models import Meeting, MeetingKind
from tsunagu.reports import compose, services
from tsunagu.reports.access import SECTIONS, SURVEY
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.render import render
from tsunagu.reports.survey import estimates_seed
from tsunagu.reports.tables import publish_all


def statistics(run: DemoRun) -> None:
    estimates_seed()
    council = Meeting.objects.filter(kind=MeetingKind.LIAISON_COUNCIL).order_by("pk").first()
    if council is None:
        return
    today = run.when.today
    period = Period.fiscal_year_of(today)
    scope = Scope()
    threshold = settings.TSUNAGU_REPORT_THRESHOLD
    tables = [render(p) for p in publish_all(compose.section_tables(SURVEY, period, scope, today), threshold)]
    services.snapshot_take(
        user=run.users["secretariat"],
        meeting=council,
        section=SURVEY,
        title=f"ひきこもり支援 進行管理 ─ {SECTIONS[SURVEY]}",
        period=period,
        scope=scope,
        as_of=today,
        threshold=threshold,
        tables=tables,
        key=None,
    )
