"""Writing a report snapshot onto a council meeting (the reports app's only write)."""

import uuid

from django.db import transaction
from django.utils import timezone

from tsunagu.core.services import create_once
from tsunagu.core.types import User
from tsunagu.meetings.models import Meeting
from tsunagu.reports.models import ReportSnapshot
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.render import RenderedTable, to_json


def snapshot_take(
    *,
    user: User,
    meeting: Meeting,
    section: str,
    title: str,
    period: Period,
    scope: Scope,
    as_of,
    threshold: int,
    tables: list[RenderedTable],
    key: uuid.UUID | None,
) -> tuple[ReportSnapshot, bool]:
    """Keep the published tables with the meeting; the same form submitted twice keeps one."""

    def create() -> ReportSnapshot:
        return ReportSnapshot.objects.create(
            meeting=meeting,
            section=section,
            title=title,
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            scope_kind=scope.kind,
            scope_id=scope.id,
            scope_label=scope.label,
            as_of=as_of,
            threshold=threshold,
            tables=[to_json(t) for t in tables],
            taken_at=timezone.now(),
            taken_by=user,
        )

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)
