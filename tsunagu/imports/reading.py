"""Reading an uploaded .xlsx defensively (decision 0038).

An Excel file is a zip of XML. Before anything is parsed the zip is checked: the file's size, the
number of its members and their uncompressed total and ratio (a zip bomb inflates a few kilobytes
into gigabytes). The sheet is then read by python-calamine (:class:`Sheet`; no DTD, no entity
expansion): a formula is read as the value Excel last computed, never evaluated, and one without a
stored value reads as empty. Columns beyond ``MAX_COLUMNS`` are not kept; rows beyond the limit
stop the import with a message.
"""

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

MAX_BYTES = 40 * 1024 * 1024  # a 100,000-row ledger is 5–10 MB
MAX_UNZIPPED = 200 * 1024 * 1024  # the sheet is read whole into memory (Sheet)
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


class Sheet:
    """The first sheet of a workbook, read by python-calamine (Rust's calamine, pandas'
    ``engine="calamine"``): about ten times faster than openpyxl's read-only mode on a
    100,000-row ledger, and its XML parser expands no entity and reads no DTD (a file with
    declarations fails to read). What is read: strings without their phonetic runs (ふりがな),
    numbers, booleans, dates (a number whose style is a date format) and for a formula its stored
    value; error cells and formulas without a stored value read as empty. The sheet is read
    whole into memory, so :func:`check_container` bounds it first."""

    def __init__(self, content: bytes):
        check_container(content)
        try:
            self.sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        except Exception as exc:  # a damaged or hostile file: calamine's errors, and others
            raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。")) from exc

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values up to the last filled cell) of every row that has a cell."""
        start_column = self.sheet.start[1] if self.sheet.start else 0
        padding = (None,) * min(start_column, MAX_COLUMNS)
        try:
            for index, row in enumerate(self.sheet.iter_rows()):
                values = padding + tuple(_value(v) for v in row[: max(MAX_COLUMNS - start_column, 0)])
                width = len(values)
                while width and values[width - 1] is None:
                    width -= 1
                if width:
                    yield index + 1, values[:width]
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。")) from exc


def _value(value: Any) -> Any:
    """A cell as the checks take it: None for an empty or error cell, an int for a whole number
    (calamine gives every number as a float)."""
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


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
