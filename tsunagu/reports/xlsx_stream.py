"""Long lists as Excel, row by row, in flat memory (issue 13 item 5, docs/quality.md P4).

The workbook is a zip of a few small XML parts and one worksheet; the worksheet's rows are
turned into SpreadsheetML here and deflated into the zip as they come, so nothing but the row
being written (and a bounded cache of escaped texts) is held. Cells: text (inline strings, never a
formula), numbers, booleans and dates (serial numbers with a date format).

Why not a library (decision 0036, "The personal-list Excel writer"): XlsxWriter's constant-memory
mode spent about 60 µs a row of ten cells in its per-cell machinery, six of the ten seconds P4
allows for 100,000 rows before any database read, and openpyxl's write-only workbook was slower
still. This writer does the same rows in about a tenth of that time. It writes only what the
personal-list exports need; the statistics' small workbooks keep using openpyxl, which also reads
every file written here back in the tests.
"""

import contextlib
import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

DEFAULT, BOLD = 0, 1
DATE = 2  # the cell style of a date (yyyy-mm-dd); chosen by the writer for date values

FONT = "Yu Gothic"
MAX_TEXT = 32_767  # Excel's longest cell text
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 (1900-03-01 and later count right from here)
FIRST_SERIAL_DAY = dt.date(1900, 3, 1)  # before it Excel's serials count a 29 February 1900
CACHE_SIZE = 4_096  # escaped texts kept (districts, statuses, agencies, staff and 和暦 days repeat)
FLUSH_ROWS = 500  # rows joined before they go to the deflater

# Characters XML 1.0 cannot carry, and the carriage return (which an XML reader turns into a line
# feed): Excel writes them as _xHHHH_; lone surrogates (not UTF-8); and the underscore that starts
# a literal _xHHHH_ in the text, which Excel would read as an escape (a look-ahead, so that
# sequences sharing an underscore, "_x0041_x0042_", are each escaped).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")
_SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Three cell styles, in this order: DEFAULT, BOLD, DATE.
STYLES = (
    XML + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2">'
    f'<font><sz val="11"/><name val="{FONT}"/><family val="3"/><charset val="128"/></font>'
    f'<font><b/><sz val="11"/><name val="{FONT}"/><family val="3"/><charset val="128"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """The letters of a zero-based column index (0 → A, 26 → AA)."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unsafe(match: re.Match[str]) -> str:
    found = match.group()
    if found == "_":
        return "_x005F_"  # the underscore of a literal _xHHHH_
    if "\ud800" <= found <= "\udfff":
        return "\ufffd"
    return f"_x{ord(found):04X}_"


def _cut(value: str) -> str:
    """At most ``MAX_TEXT`` characters as Excel counts them (UTF-16 units: a character outside the
    basic plane, 𠮷, counts two), never half a character."""
    if len(value) <= MAX_TEXT // 2:
        return value
    units = value.encode("utf-16-le")
    if len(units) <= MAX_TEXT * 2:
        return value
    return units[: MAX_TEXT * 2].decode("utf-16-le", errors="ignore")


def sheet_name(name: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    cleaned = _SHEET_NAME_UNSAFE.sub("_", name).strip("'")[:31]
    return cleaned or "Sheet1"


class SheetWriter:
    """Writes a workbook of one worksheet into ``file`` (a binary file open for writing): call
    :meth:`row` for each row, then :meth:`close`. Cells: ``str`` (text, never a formula), ``int``
    and ``float`` (numbers), ``bool``, ``datetime.date`` (a date cell; before 1900-03-01, which
    Excel cannot hold as a date, the ISO day as text), None (no cell). After an error, call
    :meth:`abandon`."""

    def __init__(self, file: IO[bytes], *, sheet: str, widths: Sequence[int], frozen: int) -> None:
        self.zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED)
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml",
            XML + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name={quoteattr(sheet_name(sheet))} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", STYLES)
        self.part = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.letters = [column_letter(i) for i in range(max(len(widths), 64))]
        self.texts: dict[str, str] = {}
        self.pending: list[str] = []
        self.number = 0
        self._write(
            XML
            + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            + self._view(frozen)
            + '<sheetFormatPr defaultRowHeight="18.75"/>'
            + self._cols(widths)
            + "<sheetData>"
        )

    # --- the worksheet's head ------------------------------------------------------------------

    def _view(self, frozen: int) -> str:
        if not frozen:
            return '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        top = f"A{frozen + 1}"
        return (
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            f'<pane ySplit="{frozen}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
            "</sheetView></sheetViews>"
        )

    def _cols(self, widths: Sequence[int]) -> str:
        if not widths:
            return ""
        # Excel's width counts characters of the default font plus its padding (0.71).
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width + 0.7109375:g}" customWidth="1"/>'
            for i, width in enumerate(widths, start=1)
        )
        return f"<cols>{cols}</cols>"

    # --- the rows ------------------------------------------------------------------------------

    def _text(self, value: str) -> str:
        """The end of a text cell (after its reference and style), escaped once per distinct text."""
        cell = self.texts.get(value)
        if cell is None:
            text = escape(_cut(value))
            if _UNSAFE.search(text):
                text = _UNSAFE.sub(_unsafe, text)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            cell = f'" t="inlineStr"><is><t{space}>{text}</t></is></c>'
            if len(self.texts) >= CACHE_SIZE:
                self.texts.clear()
            self.texts[value] = cell
        return cell

    def row(self, cells: Iterable[Any], *, style: int = DEFAULT) -> None:
        if style not in (DEFAULT, BOLD):
            raise ValueError(f"unknown style {style}")
        self.number += 1
        n = self.number
        if n > MAX_ROWS:
            raise ValueError("more rows than a worksheet holds")
        letters = self.letters
        styled = f'" s="{style}' if style else ""
        parts = [f'<row r="{n}">']
        for column, value in enumerate(cells):
            if value is None:
                continue
            if column >= len(letters):
                if column >= MAX_COLUMNS:
                    raise ValueError("more columns than a worksheet holds")
                letters.extend(column_letter(i) for i in range(len(letters), column + 1))
            kind = type(value)
            if kind is str:
                parts.append(f'<c r="{letters[column]}{n}{styled}{self._text(value)}')
            elif kind is int:
                parts.append(f'<c r="{letters[column]}{n}{styled}"><v>{value}</v></c>')
            elif kind is dt.date:
                if value >= FIRST_SERIAL_DAY:
                    parts.append(f'<c r="{letters[column]}{n}" s="{DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
                else:  # no Excel date: the day as text (a record may be dated back to 明治)
                    parts.append(f'<c r="{letters[column]}{n}{styled}{self._text(value.isoformat())}')
            elif kind is bool:
                parts.append(f'<c r="{letters[column]}{n}{styled}" t="b"><v>{int(value)}</v></c>')
            elif kind is float:
                if not math.isfinite(value):
                    raise ValueError("a cell cannot hold an infinite number or NaN")
                parts.append(f'<c r="{letters[column]}{n}{styled}"><v>{value!r}</v></c>')
            elif isinstance(value, dt.datetime):
                raise TypeError("a datetime cell: give the local date")
            else:
                raise TypeError(f"cannot write {kind.__name__} to a cell")
        parts.append("</row>")
        self.pending.append("".join(parts))
        if len(self.pending) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self._write("".join(self.pending))
            self.pending.clear()

    def _write(self, text: str) -> None:
        self.part.write(text.encode("utf-8"))

    def abandon(self) -> None:
        """Stops writing after an error: the zip closed without complaint (the file is thrown away)."""
        for close in (self.part.close, self.zip.close):
            with contextlib.suppress(Exception):
                close()

    def close(self) -> None:
        """The rest of the worksheet (A4 landscape when printed) and the zip's directory."""
        self._flush()
        self._write(
            '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape"/></worksheet>'
        )
        self.part.close()
        self.zip.close()
