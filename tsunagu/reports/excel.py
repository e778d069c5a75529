"""A report as an Excel workbook and as CSV (issue 13 item 5), from the rendered tables.

The first sheet holds every table under the report's heading (what, which period, which part of
the ward, as of which day, the small-cell note); counts and measures are numeric cells, withheld
entries the text ＊. The second sheet holds each table's definition and the protection rule. A
report is a few hundred cells, so the workbook is built in memory; the personal-data list exports
(``list_exports``) stream instead.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tsunagu.reports.render import RenderedTable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Heading:
    title: str  # 「令和8年度 ひきこもり支援 進行管理 ─ ケース」
    period: str  # 和暦 and western
    scope: str
    as_of: str
    made: str  # when and by which account the file was made (no personal data: the user's name)


def _protection_rule(threshold: int) -> str:
    return _(
        "小さな数は個人の特定につながるため、{threshold}未満の値は「＊」で表示していません。"
        "合計などから計算で分かってしまう値も「＊」にしています。表示している値と合計はすべて実数です。"
    ).format(threshold=threshold)


def _heading_lines(heading: Heading) -> list[str]:
    return [
        heading.title,
        _("期間：{period}").format(period=heading.period),
        _("範囲：{scope}").format(scope=heading.scope),
        _("基準日：{day}").format(day=heading.as_of),
        heading.made,
    ]


def workbook_bytes(heading: Heading, tables: Iterable[RenderedTable], threshold: int) -> bytes:
    tables = list(tables)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("集計表")
    bold = Font(bold=True)
    for line in _heading_lines(heading):
        sheet.append([_safe(line)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_protection_rule(threshold)])
    widest = 1
    for table in tables:
        sheet.append([])
        title = table.title + (f"（{table.unit}）" if table.unit else "")
        sheet.append([_safe(title)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([_safe(table.row_header or ""), *map(_safe, table.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for row in table.rows:
            values: list[object] = [_safe(row.label)]
            for cell in row.cells:
                values.append(cell.value if cell.value is not None else cell.text or None)
            sheet.append(values)
            excel_row = sheet[sheet.max_row]
            if row.is_total:
                for c in excel_row:
                    c.font = bold
            for c in excel_row[1:]:
                if isinstance(c.value, float):
                    c.number_format = "#,##0.0"
                elif isinstance(c.value, int):
                    c.number_format = "#,##0"
                else:
                    c.alignment = Alignment(horizontal="right")
        if table.note:
            sheet.append([table.note])
        widest = max(widest, len(table.columns) + 1)
    sheet.column_dimensions["A"].width = 28
    for column in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    definitions = book.create_sheet(_("定義"))
    definitions.append([_("表"), _("定義")])
    for cell in definitions[1]:
        cell.font = bold
    for table in tables:
        definitions.append([_safe(table.title), _safe(table.definition)])
    definitions.append([])
    definitions.append([_("小さな数の扱い"), _protection_rule(threshold)])
    definitions.column_dimensions["A"].width = 36
    definitions.column_dimensions["B"].width = 100
    for row in definitions.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_lines(heading: Heading, tables: Iterable[RenderedTable], threshold: int) -> Iterator[str]:
    """The report as CSV lines (UTF-8 with a byte-order mark, so that Excel opens it in Japanese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"
    for line in _heading_lines(heading):
        writer.writerow([_safe(line)])
    writer.writerow([_protection_rule(threshold)])
    yield flush()
    for table in tables:
        writer.writerow([])
        writer.writerow([_safe(table.title + (f"（{table.unit}）" if table.unit else ""))])
        writer.writerow([_safe(table.row_header or ""), *map(_safe, table.columns)])
        for row in table.rows:
            writer.writerow([_safe(row.label), *(_csv_value(cell.value, cell.text) for cell in row.cells)])
        writer.writerow([_("定義：") + table.definition])
        if table.note:
            writer.writerow([table.note])
        yield flush()


def _csv_value(value: int | float | None, text: str) -> str:
    if value is None:
        return text
    return f"{value:.1f}" if isinstance(value, float) else str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe (OWASP's advice
    against CSV injection); openpyxl too stores a string starting with = as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
