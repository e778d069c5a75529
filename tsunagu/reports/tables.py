"""What a report is made of, before and after small-cell protection (issue 13 items 2–5).

The compute modules (``indicators``, ``survey``) return :class:`Table` objects holding the true
figures, straight from database aggregates. Nothing leaves the system as a ``Table``: every page,
file, print view and meeting snapshot is made from :func:`publish`'s :class:`PublishedTable`, in
which small counts and the entries that would give them away are withheld (``lib.suppression``).

Two kinds of table:

- ``COUNT``: ``cells`` are non-negative integer counts. When ``additive`` (every person or event
  in exactly one row and one column), the published table carries row totals, column totals and
  the grand total, protected together (``suppress_table``; one column: ``suppress_list``). A
  multiple-answer table (pathways) is not additive: its rows overlap, no totals but ``total``
  (the number of people answering) are published, and only small cells are withheld.
- ``MEASURE``: ``cells`` are :class:`Measure` (a median, a share, …) each computed from ``base``
  items. A measure computed from fewer items than the threshold is withheld; the bases are not
  published.

A table whose ``rows`` are the months of the period (``monthly=True``) is drawn as a trend chart.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tsunagu.lib.suppression import DEFAULT_THRESHOLD, suppress_list, suppress_table

COUNT = "count"
MEASURE = "measure"


@dataclass(frozen=True)
class Measure:
    value: Decimal | float | int | None  # None when there is nothing to compute it from
    base: int  # how many items it is computed from


@dataclass(frozen=True)
class Table:
    key: str  # stable, unique within a report: "consultations_by_month"
    title: str  # 「月別の相談受付件数」
    definition: str  # what is counted, from which records, on which date; shown beside the table
    rows: tuple[str, ...]  # row labels (months as 「4月」… when monthly)
    columns: tuple[str, ...]  # column labels; one column for a one-way table (e.g. 「件数」)
    cells: tuple[tuple[int, ...], ...] | tuple[tuple[Measure, ...], ...]
    kind: str = COUNT
    additive: bool = True
    total: int | None = None  # non-additive COUNT tables: the number of distinct people/items
    unit: str = ""  # 「人」「件」「日」「%」
    monthly: bool = False
    row_header: str = ""  # heading of the label column: 「年齢」
    group: str = ""  # section the table belongs to: 「相談の受付」
    months: tuple[dt.date, ...] = ()  # when monthly: the first day of each row's month

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.rows) or any(len(row) != len(self.columns) for row in self.cells):
            raise ValueError(f"table {self.key}: cells do not match rows × columns")


@dataclass(frozen=True)
class PublishedTable:
    """A table as it may leave the system: ``None`` where withheld."""

    table: Table  # labels and definition only are read from it by renderers
    cells: tuple[tuple[int | float | Decimal | None, ...], ...]
    row_totals: tuple[int | None, ...] | None  # None when the table has no totals
    column_totals: tuple[int | None, ...] | None
    total: int | None
    withheld_count: int  # how many entries (cells and totals) are withheld
    threshold: int

    key = property(lambda self: self.table.key)
    title = property(lambda self: self.table.title)


def publish(table: Table, threshold: int = DEFAULT_THRESHOLD) -> PublishedTable:
    if table.kind == MEASURE:
        measures: Sequence[Sequence[Measure]] = table.cells  # type: ignore[assignment]
        cells = tuple(
            tuple(None if m.value is None or m.base < threshold else m.value for m in row) for row in measures
        )
        withheld = sum(1 for row in measures for m in row if m.value is not None and m.base < threshold)
        return PublishedTable(table, cells, None, None, None, withheld, threshold)
    counts: Sequence[Sequence[int]] = table.cells  # type: ignore[assignment]
    if not table.additive:
        cells = tuple(tuple(None if 0 < v < threshold else v for v in row) for row in counts)
        withheld = sum(1 for row in counts for v in row if 0 < v < threshold)
        return PublishedTable(table, cells, None, None, table.total, withheld, threshold)
    if not table.rows:
        return PublishedTable(table, (), (), tuple(0 for _ in table.columns), 0, 0, threshold)
    if len(table.columns) == 1:
        done = suppress_list([row[0] for row in counts], threshold)
        cells = tuple((value,) for value in done.cells[0])
        return PublishedTable(table, cells, None, None, done.total, len(done.withheld), threshold)
    done = suppress_table(counts, threshold)
    return PublishedTable(
        table, done.cells, done.row_totals, done.column_totals, done.total, len(done.withheld), threshold
    )


@dataclass(frozen=True)
class Report:
    """The tables of one report, for one period and scope, as computed (true figures)."""

    title: str
    period_label: str
    scope_label: str
    as_of: dt.date  # the day the figures were computed for ("people known" on this day)
    tables: tuple[Table, ...] = field(default_factory=tuple)
