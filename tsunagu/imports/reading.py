"""Reading an uploaded .xlsx defensively (decision 0038).

An Excel file is a zip of XML. Before anything is parsed the zip is checked: the file's size, the
number of its members and their uncompressed total and ratio (a zip bomb inflates a few kilobytes
into gigabytes). The sheet is then streamed (:class:`Sheet`) with defusedxml (no DTD, no entity
expansion): a formula is read as the value Excel last computed, never evaluated, and one without a
stored value reads as empty. Columns beyond ``MAX_COLUMNS`` are not read; rows beyond the limit
stop the read with a message instead of a long parse.
"""

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 40 * 1024 * 1024  # a 100,000-row ledger is 5–10 MB
MAX_UNZIPPED = 400 * 1024 * 1024
MAX_RATIO = 150  # shared strings compress well; a bomb compresses by thousands
MAX_MEMBERS = 200
MAX_COLUMNS = 60


def max_rows() -> int:
    return int(getattr(settings, "IMPORTS_MAX_ROWS", 100_000))


class FileRefused(ValueError):
    """A file that is not read: ``str()`` is the Japanese message shown on the upload form."""


def check_container(content: bytes) -> None:
    if len(content) > MAX_BYTES:
        raise FileRefused(_("ファイルが大きすぎます（40MBまで）。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRefused(_("Excelのファイル（.xlsx）ではありません。")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise FileRefused(_("Excelのファイルとして読めません（中身の部品が多すぎます）。"))
        total = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members) or 1
        if total > MAX_UNZIPPED or (total / packed > MAX_RATIO and total > 10 * 1024 * 1024):
            raise FileRefused(_("Excelのファイルとして読めません（展開すると大きすぎます）。"))
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise FileRefused(_("Excelのファイル（.xlsx）ではありません。"))


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates or times (ECMA-376 18.8.30, with the Japanese ones).
DATE_FORMAT_IDS = frozenset(
    {
        14,
        15,
        16,
        17,
        18,
        19,
        20,
        21,
        22,
        27,
        28,
        29,
        30,
        31,
        32,
        33,
        34,
        35,
        36,
        45,
        46,
        47,
        50,
        51,
        52,
        53,
        54,
        55,
        56,
        57,
        58,
    }
)


class Sheet:
    """The first sheet of a workbook, streamed with the standard library's expat parser through
    defusedxml (no DTD, no entities, no external references). openpyxl's read-only mode reads the
    same values but builds an object per cell, about five times slower: a 100,000-row ledger took
    19 s to read once (decision 0038). What is read: shared and inline strings (phonetic runs,
    ふりがな, left out), numbers, booleans, dates (a number whose style is a date format), and for
    a formula its stored value; errors read as empty."""

    def __init__(self, content: bytes):
        check_container(content)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            self.path = self._first_sheet()
            self.strings = self._shared_strings()
            self.date_styles = self._date_styles()
        except FileRefused:
            raise
        except Exception as exc:  # a damaged or hostile file: many kinds of error
            raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。")) from exc

    def _parse(self, name: str) -> Any:
        from defusedxml.ElementTree import fromstring

        with self.archive.open(name) as member:
            return fromstring(member.read())

    def _first_sheet(self) -> str:
        workbook = self._parse("xl/workbook.xml")
        first = workbook.find(f"{NS}sheets/{NS}sheet")
        rel_id = first.get(f"{REL_NS}id") if first is not None else None
        names = set(self.archive.namelist())
        if rel_id and "xl/_rels/workbook.xml.rels" in names:
            for rel in self._parse("xl/_rels/workbook.xml.rels").iter(f"{PKG_REL_NS}Relationship"):
                if rel.get("Id") == rel_id:
                    target = rel.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    if path in names:
                        return path
        if "xl/worksheets/sheet1.xml" in names:
            return "xl/worksheets/sheet1.xml"
        raise FileRefused(_("Excelのファイル（.xlsx）ではありません。"))

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        strings = []
        for item in self._parse("xl/sharedStrings.xml").iter(f"{NS}si"):
            strings.append(_text_of(item))
        return strings

    def _date_styles(self) -> set[int]:
        from openpyxl.styles.numbers import is_date_format

        if "xl/styles.xml" not in self.archive.namelist():
            return set()
        styles = self._parse("xl/styles.xml")
        custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in styles.iter(f"{NS}numFmt")}
        dates = set()
        xfs = styles.find(f"{NS}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            number = int(xf.get("numFmtId", "0"))
            if number in DATE_FORMAT_IDS or (number in custom and is_date_format(custom[number])):
                dates.add(index)
        return dates

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values up to the last filled cell) of every row that has a cell."""
        reader = _SheetReader(self.strings, self.date_styles)
        with self.archive.open(self.path) as member:
            while True:
                chunk = member.read(1 << 20)
                reader.feed(chunk, final=not chunk)
                yield from reader.done
                reader.done = []
                if not chunk:
                    break


def _refuse_declarations(*_args: Any) -> None:
    raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。"))


def _refuse_external(*_args: Any) -> int:
    _refuse_declarations()
    return 0


class _SheetReader:
    """A sheet's XML through expat's callbacks (no element objects): a DOCTYPE, an entity
    declaration or an external entity is refused, as defusedxml refuses them."""

    def __init__(self, strings: list[str], date_styles: set[int]):
        from xml.parsers import expat

        self.strings, self.date_styles = strings, date_styles
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = _refuse_declarations
        self.parser.EntityDeclHandler = _refuse_declarations
        self.parser.ExternalEntityRefHandler = _refuse_external
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.done: list[tuple[int, tuple[Any, ...]]] = []
        self.values: dict[int, Any] = {}
        self.next_row = 1
        self.row = 1
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.capture = False
        self.phonetic = False
        self.buffer: list[str] = []

    def feed(self, chunk: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(chunk, final)
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。")) from exc

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if name == "c":
            reference = attrs.get("r")
            self.column = _column_index(reference) if reference else (max(self.values) + 1 if self.values else 0)
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s", "0"))
            self.buffer = []
        elif name == "v" or (name == "t" and not self.phonetic):
            self.capture = True
        elif name == "rPh":
            self.phonetic = True
        elif name == "row":
            reference = attrs.get("r")
            self.row = int(reference) if reference else self.next_row
            self.values = {}

    def text(self, data: str) -> None:
        if self.capture:
            self.buffer.append(data)

    def end(self, name: str) -> None:
        name = name.rpartition(":")[2]
        if name in ("v", "t"):
            self.capture = False
        elif name == "rPh":
            self.phonetic = False
        elif name == "c":
            if self.column < MAX_COLUMNS:
                self.values[self.column] = self.value("".join(self.buffer))
        elif name == "row":
            self.next_row = self.row + 1
            if self.values:
                width = max(self.values) + 1
                self.done.append((self.row, tuple(self.values.get(i) for i in range(width))))
            self.values = {}

    def value(self, raw: str) -> Any:
        from openpyxl.utils.datetime import from_excel

        kind = self.kind
        if kind == "s":
            return self.strings[int(raw)] if raw else None
        if kind in ("inlineStr", "str", "d"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "n" and raw:
            number = float(raw)
            if self.style in self.date_styles:
                return from_excel(number)
            return int(number) if number.is_integer() else number
        return None  # an error (t="e") or an empty cell


def _text_of(item: Any) -> str:
    """The text of a string item: its <t>, or its runs' <t>, without the phonetic runs (rPh)."""
    direct = item.find(f"{NS}t")
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(f"{NS}t") or "" for run in item.findall(f"{NS}r"))


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _clean(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if (isinstance(v, str) and not v.strip()) else v for v in row[:MAX_COLUMNS])


def read_headings(content: bytes) -> list[str]:
    """The first row of the first sheet."""
    for number, row in Sheet(content).rows():
        if number != 1:
            break
        headings = [str(v).strip() if v is not None else "" for v in row[:MAX_COLUMNS]]
        while headings and not headings[-1]:
            headings.pop()
        if any(headings):
            return headings
        break
    raise FileRefused(_("1行目に見出しがありません。テンプレートの1行目の見出しを残してください。"))


def read_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(line number in the sheet, cell values) for every row after the headings that has a value;
    refuses a sheet of more than ``IMPORTS_MAX_ROWS`` rows."""
    limit = max_rows()
    count = 0
    for line, row in Sheet(content).rows():
        if line < 2:
            continue
        values = _clean(row)
        if not any(v is not None for v in values):
            continue
        count += 1
        if count > limit:
            raise FileRefused(
                _("行が多すぎます（一度に%(limit)s行まで）。ファイルを分けてください。") % {"limit": f"{limit:,}"}
            )
        yield line, values
