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
    # Shared margins (see ``publish_all``): the dimension the rows and the columns count by
    # ("age10", "area", …; "" for none). A one-way table's cells are its rows' margin; a cross
    # table's row and column totals are. Tables of one report naming the same dimension share it.
    dims: tuple[str, str] = ("", "")
    # Rows that sum up to the rows of another table (the districts of an area): each row's parent
    # label in the dimension ``parent_dim``.
    parents: tuple[str, ...] = ()
    parent_dim: str = ""

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


Margin = tuple[str, str]  # (dimension, label)


def publish(
    table: Table, threshold: int = DEFAULT_THRESHOLD, shared: frozenset[Margin] = frozenset()
) -> PublishedTable:
    """The table as it may leave the system. ``shared``: margins (dimension, label) that another
    table of the same report withholds; they are withheld here too (``publish_all``). A table
    whose grand total is itself small (a district with three people known) is withheld whole:
    its total is a small count like any other."""
    return _small_total_withheld(_publish(table, threshold, shared))


def _small_total_withheld(published: PublishedTable) -> PublishedTable:
    total = published.total
    if total is None or not 0 < total < published.threshold:
        return published

    def hide(values):
        return None if values is None else tuple(None if v else v for v in values)

    cells = tuple(hide(row) for row in published.cells)
    withheld = sum(1 for row in published.cells for v in row if v) + 1
    return PublishedTable(
        published.table,
        cells,  # type: ignore[arg-type]
        hide(published.row_totals),
        hide(published.column_totals),
        None,
        withheld,
        published.threshold,
    )


def _publish(table: Table, threshold: int, shared: frozenset[Margin]) -> PublishedTable:
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
    row_dim, column_dim = table.dims
    if len(table.columns) == 1:
        forced = [(0, r) for r, label in enumerate(table.rows) if (row_dim, label) in shared]
        done = suppress_list([row[0] for row in counts], threshold, forced)
        cells = tuple((value,) for value in done.cells[0])
        return PublishedTable(table, cells, None, None, done.total, len(done.withheld), threshold)
    forced_entries = [(r, len(table.columns)) for r, label in enumerate(table.rows) if (row_dim, label) in shared]
    forced_entries += [(len(table.rows), c) for c, label in enumerate(table.columns) if (column_dim, label) in shared]
    done = suppress_table(counts, threshold, forced_entries)
    return PublishedTable(
        table, done.cells, done.row_totals, done.column_totals, done.total, len(done.withheld), threshold
    )


def _withheld_margins(published: PublishedTable) -> set[Margin]:
    table = published.table
    if table.kind == MEASURE or not table.additive or not table.rows:
        return set()
    row_dim, column_dim = table.dims
    found: set[Margin] = set()
    if len(table.columns) == 1:
        if row_dim:
            found |= {
                (row_dim, label) for label, row in zip(table.rows, published.cells, strict=True) if row[0] is None
            }
    else:
        if row_dim and published.row_totals is not None:
            found |= {(row_dim, label) for label, v in zip(table.rows, published.row_totals, strict=True) if v is None}
        if column_dim and published.column_totals is not None:
            found |= {
                (column_dim, label)
                for label, v in zip(table.columns, published.column_totals, strict=True)
                if v is None
            }
    return found


def _parts_to_withhold(published: PublishedTable, withheld: set[Margin]) -> set[Margin]:
    """For a table whose rows add up to the rows of another (districts to areas): a lone withheld
    row under a published parent is the parent minus the rest, so a second row of that parent is
    withheld too (the smallest non-zero); when there is none, the parent is."""
    table = published.table
    if not table.parents or len(table.columns) != 1 or not table.dims[0]:
        return set()
    counts: Sequence[Sequence[int]] = table.cells  # type: ignore[assignment]
    more: set[Margin] = set()
    for parent in dict.fromkeys(table.parents):
        rows = [r for r, p in enumerate(table.parents) if p == parent]
        hidden = [r for r in rows if published.cells[r][0] is None]
        if len(hidden) != 1 or (table.parent_dim, parent) in withheld:
            continue
        others = sorted((counts[r][0], r) for r in rows if r not in hidden and counts[r][0] > 0)
        if others:
            more.add((table.dims[0], table.rows[others[0][1]]))
        else:
            more.add((table.parent_dim, parent))
    return more


def publish_all(tables: Sequence[Table], threshold: int = DEFAULT_THRESHOLD) -> list[PublishedTable]:
    """Publish the tables of one report together, so that no table gives away what another one
    withholds: a margin (``Table.dims``) withheld in one table (e.g. the 20代 total of 年代×期間) is
    withheld in every table that shows it (the one-way 年代 table), and so are the further entries
    that then protect it; rows adding up to another table's rows (``Table.parents``) never leave a
    lone withheld row under a published parent. Repeated until nothing more is withheld (each
    round only adds, so it ends)."""
    withheld: set[Margin] = set()
    while True:
        frozen = frozenset(withheld)
        published = [publish(table, threshold, frozen) for table in tables]
        found = set(withheld)
        for item in published:
            found |= _withheld_margins(item)
        for item in published:
            found |= _parts_to_withhold(item, found)
        if found == withheld:
            return published
        withheld = found


@dataclass(frozen=True)
class Report:
    """The tables of one report, for one period and scope, as computed (true figures)."""

    title: str
    period_label: str
    scope_label: str
    as_of: dt.date  # the day the figures were computed for ("people known" on this day)
    tables: tuple[Table, ...] = field(default_factory=tuple)
