"""The work page counts days in Tokyo, not in UTC: a case opened early in the morning in Tokyo
(the evening before in UTC) is not a day older than it is."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tsunagu.cases.models import Case
from tsunagu.records.models import ProgressRecord
from tsunagu.records.work_state import rebuild_work_state
from tsunagu.work.worklist import worklist_for

pytestmark = pytest.mark.dates

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
OPENED = dt.datetime(2026, 11, 2, 8, 0, tzinfo=TOKYO)  # 2026-11-01 23:00 UTC


@pytest.mark.django_db
def test_days_without_contact_count_from_the_tokyo_day_the_case_opened(world, users):
    supervisor = users["supervisor"]
    stall_days = world.case.lead().agency.stall_days
    Case.objects.filter(pk=world.case.pk).update(opened_at=OPENED)  # no contact reached since
    ProgressRecord.objects.filter(case=world.case).update(reached=False)
    rebuild_work_state([world.case.pk])  # both moved behind the services' back
    today = OPENED.date() + dt.timedelta(days=stall_days - 1)
    with time_machine.travel(dt.datetime.combine(today, dt.time(10, 0), tzinfo=TOKYO)):
        work = worklist_for(user=supervisor, scope="agency", today=today)
        assert world.case.pk not in [case.pk for case in work.stalled]
        work = worklist_for(user=supervisor, scope="agency", today=today + dt.timedelta(days=1))
        stalled = {case.pk: case.days_without_contact for case in work.stalled}
        assert stalled[world.case.pk] == stall_days
