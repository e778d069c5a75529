"""Long lists as Excel, row by row, in flat memory (issue 13 item 5, docs/quality.md P4).

XlsxWriter's ``constant_memory`` mode writes each row to a temporary file as it comes and keeps no
row in memory; strings are written inline (no shared-strings table to hold). It is about twice as
fast as openpyxl's write-only workbook on the benchmark machine (decision 0036). The statistics'
small workbooks keep using openpyxl, which also reads these files back in the tests.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter

DEFAULT, BOLD = 0, 1


class SheetWriter:
    """Writes one worksheet into ``file`` (a binary file open for writing): call :meth:`row` for
    each row, then :meth:`close`. Cells: ``str`` (text, never a formula), ``int`` and ``float``
    (numbers), ``datetime.date`` (a date cell), None (no cell)."""

    def __init__(self, file: IO[bytes], *, sheet: str, widths: Sequence[int], frozen: int) -> None:
        self.book = xlsxwriter.Workbook(
            file,
            {
                "constant_memory": True,
                # Text is text: no guessing of numbers, formulas or links from strings.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.book.add_worksheet(sheet[:31])
        base = {"font_name": "Yu Gothic", "font_size": 11}
        self.formats = {
            DEFAULT: self.book.add_format(base),
            BOLD: self.book.add_format({**base, "bold": True}),
        }
        self.date = self.book.add_format({**base, "num_format": "yyyy-mm-dd"})
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        if frozen:
            self.sheet.freeze_panes(frozen, 0)
        self.number = 0

    def row(self, cells: Iterable[Any], *, style: int = DEFAULT) -> None:
        n, sheet, fmt = self.number, self.sheet, self.formats[style]
        self.number += 1
        for column, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(n, column, value, fmt)
            elif isinstance(value, bool):
                sheet.write_boolean(n, column, value, fmt)
            elif isinstance(value, dt.datetime):
                raise TypeError("a datetime cell: give the local date")
            elif isinstance(value, dt.date):
                sheet.write_datetime(n, column, dt.datetime(value.year, value.month, value.day), self.date)
            elif isinstance(value, int | float):
                sheet.write_number(n, column, value, fmt)
            else:
                raise TypeError(f"cannot write {type(value).__name__} to a cell")

    def close(self) -> None:
        self.book.close()
