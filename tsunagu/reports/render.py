"""Published tables as the rows and cells every output shows (issue 13 item 5).

The page, the print view, the Excel workbook, the CSV file and a meeting's snapshot are all made
from :class:`RenderedTable`, so the numbers on screen, on paper and in a file cannot differ (the
test reads all of them back and compares). A rendered table is plain data (strings and numbers),
and :func:`to_json` / :func:`from_json` keep it unchanged in a snapshot.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tsunagu.reports.chart import BarChart, bar_chart
from tsunagu.reports.tables import MEASURE, Measure, PublishedTable

WITHHELD = "＊"
NOTHING = "—"
WIDE_COLUMNS = 6  # more columns than this print on a landscape page


@dataclass(frozen=True)
class Cell:
    text: str  # as printed: 「1,234」「12.5」「＊」「—」
    value: int | float | None  # the number an Excel cell holds; None when withheld or empty
    withheld: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    is_total: bool = False


@dataclass(frozen=True)
class RenderedTable:
    key: str
    title: str
    definition: str
    group: str
    unit: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    withheld: int  # entries withheld by small-cell protection
    threshold: int
    monthly: bool
    chart_from: int  # the column the trend chart draws (the totals column when there is one)

    @property
    def wide(self) -> bool:
        return len(self.columns) > WIDE_COLUMNS

    @property
    def note(self) -> str:
        if not self.withheld:
            return ""
        return _(
            "＊：人数が少ないため表示していません（{threshold}未満の値と、合計から計算で分かってしまう値）。合計は実数です。"
        ).format(threshold=self.threshold)

    def chart(self) -> BarChart | None:
        if not self.monthly:
            return None
        body = [row for row in self.rows if not row.is_total]
        return bar_chart(
            title=self.title,
            labels=[row.label for row in body],
            values=[row.cells[self.chart_from].value for row in body],
            shown=[row.cells[self.chart_from].text for row in body],
        )


def _number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: int | float | None, *, measure: bool) -> str:
    if value is None:
        return WITHHELD
    if isinstance(value, float) or (measure and not isinstance(value, int)):
        return f"{value:,.1f}"
    return f"{value:,}"


def _cell(value: Any, *, measure: bool = False, empty: bool = False) -> Cell:
    if empty:
        return Cell(NOTHING, None)
    number = _number(value)
    return Cell(_text(number, measure=measure), number, withheld=number is None)


def render(published: PublishedTable) -> RenderedTable:
    table = published.table
    measure = table.kind == MEASURE
    columns = list(table.columns)
    rows: list[Row] = []
    has_row_totals = published.row_totals is not None and len(columns) > 1
    for r, label in enumerate(table.rows):
        cells = []
        for c, value in enumerate(published.cells[r]):
            source = table.cells[r][c]
            empty = measure and isinstance(source, Measure) and source.value is None
            cells.append(_cell(value, measure=measure, empty=empty))
        if has_row_totals:
            assert published.row_totals is not None
            cells.append(_cell(published.row_totals[r]))
        rows.append(Row(label, tuple(cells)))
    if has_row_totals:
        columns.append(_("計"))
    if published.column_totals is not None and has_row_totals:
        totals = [_cell(v) for v in published.column_totals]
        if has_row_totals:
            totals.append(_cell(published.total))
        rows.append(Row(_("計"), tuple(totals), is_total=True))
    elif not measure and (table.additive or table.total is not None):
        # A one-column table (its total) or a multiple-answer table (the people answering).
        label = _("計") if table.additive else _("回答した人数（実数）")
        cells = [_cell(published.total)] + [Cell("", None) for _c in columns[1:]]
        rows.append(Row(label, tuple(cells), is_total=True))
    return RenderedTable(
        key=table.key,
        title=table.title,
        definition=table.definition,
        group=table.group,
        unit=table.unit,
        row_header=table.row_header,
        columns=tuple(columns),
        rows=tuple(rows),
        withheld=published.withheld_count,
        threshold=published.threshold,
        monthly=table.monthly,
        chart_from=len(columns) - 1 if has_row_totals else 0,
    )


def to_json(table: RenderedTable) -> dict[str, Any]:
    return asdict(table)


def from_json(data: dict[str, Any]) -> RenderedTable:
    rows = tuple(
        Row(row["label"], tuple(Cell(**cell) for cell in row["cells"]), row["is_total"]) for row in data["rows"]
    )
    return RenderedTable(**{**data, "columns": tuple(data["columns"]), "rows": rows})
