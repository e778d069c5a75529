"""The template of each kind: the headings (Japanese) and an example row on the first sheet, the
allowed values on the second (選べる値: every list, the districts and the active agencies), and
what each column takes on the third (説明)."""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from tsunagu.agencies.models import Agency, District
from tsunagu.imports.kinds import COLUMNS
from tsunagu.imports.models import ImportBatch

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_xlsx(kind: str) -> bytes:
    columns = COLUMNS[kind]
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "データ"
    data.append([c.heading for c in columns])
    data.append([c.example for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = REQUIRED_FILL
        data.column_dimensions[cell.column_letter].width = max(12, len(column.heading) * 2 + 4)
        # Text cells: a leading zero of a phone or a number like 0001 is kept.
        data.column_dimensions[cell.column_letter].number_format = "@"
    data.freeze_panes = "A2"

    allowed = workbook.create_sheet("選べる値")
    lists: list[tuple[str, list[str]]] = []
    with translation.override("ja"):
        for column in columns:
            if column.choices is not None:
                lists.append((column.heading, column.choices.allowed()))
            elif column.key in ("is_concerned", "not_duplicate", "urgent", "reached"):
                lists.append((column.heading, ["はい", "いいえ"]))
        if any(c.key == "district" for c in columns):
            lists.append(
                ("地区", list(District.objects.order_by("area__order", "order").values_list("name", flat=True)))
            )
        if any(c.key in ("lead", "partners", "contact_agency") for c in columns):
            lists.append(
                (
                    "機関",
                    list(Agency.objects.filter(active=True).order_by("kind", "code").values_list("name", flat=True)),
                )
            )
    for index, (heading, values) in enumerate(lists, start=1):
        allowed.cell(row=1, column=index, value=heading).font = Font(bold=True)
        allowed.column_dimensions[allowed.cell(row=1, column=index).column_letter].width = 30
        for row, value in enumerate(values, start=2):
            allowed.cell(row=row, column=index, value=value)

    notes = workbook.create_sheet("説明")
    notes.append(["見出し", "必須", "書き方"])
    for column in columns:
        notes.append([column.heading, "必須" if column.required else "", column.note])
    notes.append([])
    notes.append(["2行目は記入例です。取り込む前に消すか、書き換えてください。"])
    notes.append(["日付は和暦（令和7年4月1日、R7.4.1）でも西暦（2025/4/1）でも書けます。"])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["C"].width = 70
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_workbook(batch: ImportBatch) -> bytes:
    """Every problem of a checked file: line, column, reason (headings in Japanese, like the file)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("誤り")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["行", "列", "理由"], bold)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 90)
    for row, (line, column, message) in enumerate(
        batch.problems.order_by("line", "pk").values_list("line", "column", "message").iterator(), start=1
    ):
        sheet.write_number(row, 0, line)
        sheet.write_string(row, 1, column)
        sheet.write_string(row, 2, message)
    book.close()
    return out.getvalue()
