"""A minimal Excel (.xlsx) writer for long lists, row by row, in flat memory.

openpyxl's write-only workbook costs about a millisecond a row (over 100 s for 100,000 rows of
ten cells on the benchmark machine, docs/quality.md P4 asks for 10 s), so the long personal lists
are written here instead: one worksheet, its XML streamed into a deflated ZIP member of a
temporary file as the rows come, strings inline (no shared-strings table to hold in memory),
numbers and dates as real cells (a date is a serial day number with a date format), a bold
style for the title and the header, column widths and the first rows frozen. openpyxl reads the
result back in the tests; the statistics' small workbooks keep using openpyxl.
"""

import datetime as dt
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
# XML's special characters, and those XML 1.0 does not allow at all (a pasted control character
# must not break the file): one str.translate per string.
_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"} | {
    c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
}
DEFAULT, BOLD, DATE = 0, 1, 2  # the cell styles (cellXfs) below

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEETML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{SHEETML}.styles+xml"/></Types>'
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    XML
    + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    + f'xmlns:r="{RELATIONS}"><sheets><sheet name="{{name}}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONS}/styles" Target="styles.xml"/></Relationships>'
)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Yu Gothic"/><family val="3"/><charset val="128"/></font>
<font><b/><sz val="11"/><name val="Yu Gothic"/><family val="3"/><charset val="128"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
SHEET_HEAD = (
    XML
    + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + '<sheetViews><sheetView workbookViewId="0">'
    + '<pane ySplit="{frozen}" topLeftCell="A{top}" activePane="bottomLeft" state="frozen"/>'
    + "</sheetView></sheetViews><cols>{cols}</cols><sheetData>"
)
SHEET_TAIL = "</sheetData>\n</worksheet>"


def text(value: str) -> str:
    """A string as XML text: escaped, without the characters XML forbids."""
    return value.translate(_TEXT)


class SheetWriter:
    """Writes one worksheet into ``file`` (a binary file open for writing and seeking): call
    :meth:`row` for each row, then :meth:`close`. Cells: ``str`` (inline text), ``int`` and
    ``float`` (numbers), ``datetime.date`` (a date cell), None (no cell)."""

    def __init__(self, file: IO[bytes], *, sheet: str, widths: Sequence[int], frozen: int) -> None:
        self.zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr("xl/workbook.xml", WORKBOOK.format(name=escape(sheet[:31], {'"': "&quot;"})))
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", STYLES)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.letters = [get_column_letter(i) for i in range(1, max(len(widths), 1) + 64)]
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        self.sheet.write(SHEET_HEAD.format(frozen=frozen, top=frozen + 1, cols=cols).encode())
        self.number = 0
        self.pending: list[str] = []

    def row(self, cells: Iterable[Any], *, style: int = DEFAULT) -> None:
        self.number += 1
        n = self.number
        out = [f'<row r="{n}">']
        for column, value in enumerate(cells):
            if value is None:
                continue
            ref = f"{self.letters[column]}{n}"
            if isinstance(value, str):
                s = f' s="{style}"' if style else ""
                out.append(f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text(value)}</t></is></c>')
            elif isinstance(value, bool):
                out.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, dt.datetime):
                raise TypeError("a datetime cell: give the local date")
            elif isinstance(value, dt.date):
                out.append(f'<c r="{ref}" s="{DATE}"><v>{(value - EPOCH).days}</v></c>')
            elif isinstance(value, int | float):
                out.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                raise TypeError(f"cannot write {type(value).__name__} to a cell")
        out.append("</row>")
        self.pending.append("".join(out))
        if len(self.pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.sheet.write("".join(self.pending).encode())
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.sheet.write(SHEET_TAIL.encode())
        self.sheet.close()
        self.zip.close()
