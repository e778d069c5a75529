"""Reading an uploaded .xlsx defensively (decision 0038).

An Excel file is a zip of XML. Before openpyxl parses anything the zip is checked: the file's size,
the number of its members and their uncompressed total and ratio (a zip bomb inflates a few
kilobytes into gigabytes). openpyxl parses with defusedxml (entity expansion refused), in
read-only mode (rows streamed, not held), with ``data_only``: a formula is read as the value Excel
last computed, never evaluated, and one without a stored value reads as empty. Rows and columns
beyond the limits stop the read with a message instead of a long parse.
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


def _open(content: bytes) -> Any:
    from openpyxl import load_workbook

    check_container(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRefused(_("Excelのファイルとして読めません。ファイルが壊れていないか確かめてください。")) from exc


def _sheet(workbook: Any) -> Any:
    return workbook.worksheets[0]


def _clean(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if (isinstance(v, str) and not v.strip()) else v for v in row[:MAX_COLUMNS])


def read_headings(content: bytes) -> list[str]:
    """The first row of the first sheet."""
    workbook = _open(content)
    try:
        for row in _sheet(workbook).iter_rows(min_row=1, max_row=1, values_only=True):
            headings = [str(v).strip() if v is not None else "" for v in row[:MAX_COLUMNS]]
            while headings and not headings[-1]:
                headings.pop()
            if not any(headings):
                break
            return headings
    finally:
        workbook.close()
    raise FileRefused(_("1行目に見出しがありません。テンプレートの1行目の見出しを残してください。"))


def read_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(line number in the sheet, cell values) for every row after the headings that has a value;
    refuses a sheet of more than ``IMPORTS_MAX_ROWS`` rows."""
    workbook = _open(content)
    limit = max_rows()
    count = 0
    try:
        for line, row in enumerate(_sheet(workbook).iter_rows(min_row=2, values_only=True), start=2):
            values = _clean(row)
            if not any(v is not None for v in values):
                continue
            count += 1
            if count > limit:
                raise FileRefused(
                    _("行が多すぎます（一度に%(limit)s行まで）。ファイルを分けてください。") % {"limit": f"{limit:,}"}
                )
            yield line, values
    finally:
        workbook.close()
