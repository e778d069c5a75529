"""Review of the personal-list Excel writer (outside reviewer): three defects, each shown by a
test that failed before the fix (adjacent _xHHHH_ look-alikes, carriage returns, a day before
1900 in a case's dates)."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tsunagu.cases.models import Case
from tsunagu.core.tests.personas import client_for
from tsunagu.reports.xlsx_stream import SheetWriter

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # 10:00 in Tokyo


def written(text):
    out = io.BytesIO()
    writer = SheetWriter(out, sheet="一覧", widths=(20,), frozen=0)
    writer.row([text])
    writer.close()
    return CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0).to_python()[0][0]


@pytest.mark.parametrize("text", ["_x0041_x0042_", "_x005F_x0041_", "品番_x0030_x0031_"])
def test_adjacent_excel_escape_lookalikes_read_back_as_written(text):
    assert written(text) == text


@pytest.mark.parametrize("text", ["a\rb", "a\r\nb", "'\r=1+1"])
def test_a_carriage_return_reads_back_as_written(text):
    assert written(text) == text


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_a_case_last_met_before_1900_does_not_break_the_case_list_excel(world, lead_worker):
    Case.objects.filter(pk=world.case.pk).update(last_contact_on=dt.date(1899, 12, 31))
    client = client_for(lead_worker)
    client.raise_request_exception = False
    response = client.get(reverse("reports:cases_xlsx"))
    assert response.status_code == 200
