"""The personal-list Excel writer (reports.xlsx_stream): what it writes reads back the same in
openpyxl and in python-calamine (two independent readers), in flat memory."""

import datetime as dt
import io
import tempfile
import tracemalloc
import zipfile

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tsunagu.reports.xlsx_stream import BOLD, MAX_TEXT, SheetWriter, column_letter, sheet_name

HOSTILE = [
    "<script>alert(1)</script>",
    "a & b > c",
    "\"quoted\" 'single'",
    "  leading and trailing  ",
    "line one\nline two",
    "tab\there",
    "carriage\rreturn",
    "bell\x07 and nul\x00 inside",
    "_x0041_ stays literal",
    "絵文字🏠と漢字",
    "=1+2",
]


def write(rows, *, sheet="一覧", widths=(10, 20, 30), frozen=1, header=None):
    out = io.BytesIO()
    writer = SheetWriter(out, sheet=sheet, widths=widths, frozen=frozen)
    if header:
        writer.row(header, style=BOLD)
    for row in rows:
        writer.row(row)
    writer.close()
    return out.getvalue()


def openpyxl_rows(data):
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def test_text_numbers_dates_and_booleans_read_back_in_openpyxl():
    data = write(
        [
            ["K-000001", 42, 3.25, dt.date(2026, 11, 24), True, None, "後"],
            ["", -7, 0.1, dt.date(1900, 3, 1), False, "x", None],
        ],
        header=["見出し", "数"],
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "一覧"
    assert [c.value for c in sheet[1]][:3] == ["見出し", "数", None]
    assert sheet["A1"].font.b and sheet["B1"].font.b
    assert sheet["A2"].value == "K-000001"
    assert sheet["B2"].value == 42
    assert sheet["C2"].value == 3.25
    assert sheet["D2"].value == dt.datetime(2026, 11, 24)
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy\\-mm\\-dd"
    assert sheet["E2"].value is True
    assert sheet["F2"].value is None
    assert sheet["G2"].value == "後"
    assert sheet["A3"].value in ("", None)  # an empty text is an empty cell to both readers
    assert sheet["D3"].value == dt.datetime(1900, 3, 1)
    assert sheet["E3"].value is False
    assert sheet["F3"].value == "x"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == pytest.approx(10.71, abs=0.01)
    assert sheet.column_dimensions["C"].width == pytest.approx(30.71, abs=0.01)
    assert not sheet["A2"].font.b


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_reads_back_as_written_never_as_a_formula(text):
    data = write([[text]])
    # python-calamine decodes Excel's _xHHHH_ escapes as Excel does; openpyxl leaves them as they
    # are, so it reads the texts that needed none.
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert calamine[0][0] == text
    if not any(c in text for c in "\x00\x07\r_"):
        assert openpyxl_rows(data)[0][0] == text
    # Nothing written as a formula: no <f> element anywhere in the worksheet.
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_a_lone_surrogate_becomes_the_replacement_character():
    (value,) = openpyxl_rows(write([["a\ud800b"]]))[0]
    assert value == "a\ufffdb"


def test_text_longer_than_excel_allows_is_cut_to_its_limit():
    (value,) = openpyxl_rows(write([["あ" * (MAX_TEXT + 10)]]))[0]
    assert len(value) == MAX_TEXT


def test_excel_counts_characters_outside_the_basic_plane_twice():
    (value,) = openpyxl_rows(write([["𠮷" * MAX_TEXT]]))[0]
    assert value == "𠮷" * (MAX_TEXT // 2)  # 32,767 UTF-16 units hold 16,383 of them, not half of one


def test_a_day_excel_cannot_hold_as_a_date_is_written_as_text():
    sheet = load_workbook(
        io.BytesIO(write([[dt.date(1899, 12, 31), dt.date(1900, 2, 28), dt.date(1900, 3, 1)]]))
    ).active
    assert (sheet["A1"].value, sheet["B1"].value) == ("1899-12-31", "1900-02-28")
    assert sheet["C1"].value == dt.datetime(1900, 3, 1) and sheet["C1"].is_date


def test_values_a_cell_cannot_hold_are_refused():
    writer = SheetWriter(io.BytesIO(), sheet="x", widths=(), frozen=0)
    with pytest.raises(TypeError):
        writer.row([dt.datetime(2026, 1, 1, tzinfo=dt.UTC)])
    with pytest.raises(TypeError):
        writer.row([object()])
    with pytest.raises(ValueError):
        writer.row([float("nan")])
    with pytest.raises(ValueError):
        writer.row(["x"], style=99)


def test_columns_beyond_z_and_sheet_names_excel_refuses():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    data = write([list(range(80))], sheet="a/b[c]:d*e?f\\g" + "x" * 40, widths=())
    book = load_workbook(io.BytesIO(data))
    assert book.active.title == sheet_name("a/b[c]:d*e?f\\g" + "x" * 40)
    assert len(book.active.title) == 31 and not set("[]:*?/\\") & set(book.active.title)
    assert book.active["CB1"].value == 79
    assert sheet_name("''") == "Sheet1"


def test_the_page_prints_on_a4_landscape():
    sheet = load_workbook(io.BytesIO(write([["x"]]))).active
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.orientation == "landscape"


def test_memory_stays_flat_however_many_rows():
    def peak(rows):
        with tempfile.TemporaryFile() as out:  # the file is on disk: what is traced is the writer's
            tracemalloc.start()
            writer = SheetWriter(out, sheet="x", widths=(10,) * 6, frozen=0)
            before = tracemalloc.get_traced_memory()[0]
            for i in range(rows):
                writer.row([f"K-{i:06d}", f"世帯 {i}", "地区", "支援中", dt.date(2026, 4, 1), i])
            _current, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            writer.close()
        return top - before

    small, large = peak(5_000), peak(50_000)
    # Ten times the rows: the writer's own memory (the escaped-text cache and a flush's rows,
    # both bounded) does not grow with them.
    assert large < small * 1.5 + 256 * 1024
