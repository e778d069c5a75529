"""Small-cell protection of published tables (issue 13 item 4): counts below a threshold are not
published, and further entries are withheld so that no withheld count can be worked out from what
is published. Nothing is altered: every published number is the true one.

A two-way table is published with its row totals, column totals and grand total. Write it as the
*augmented* table: the counts, the row totals as an extra column and the column totals as an
extra row, both negated, and the grand total in the corner. Every row and every column of that
table sums to zero. The withheld entries are the edges of a bipartite graph (rows, the totals row;
columns, the totals column). The published entries fix a withheld one exactly when its edge is a
*bridge* (cut the graph there: the sum across the cut is known, and the bridge is its only
unknown). An entry on a cycle is not fixed: adding +1, -1, +1, … around the cycle keeps every row
and column sum, and when every entry on the cycle is at least 1 this works in both directions.

So:

1. Primary suppression: counts of 1 … threshold-1, and row and column totals of 1 … threshold-1
   (a small total is a small count too). Zeros are published. The grand total is always published.
2. Complementary suppression: while the graph has a bridge, withhold the cheapest published entry
   that joins the two sides of the bridge (a count before a total, a non-zero before a zero, then
   the smallest), which puts the bridge on a cycle. When nothing joins them yet, a side grows by an
   entry of the bridge's row or column first.

The guarantee (``lib/tests/test_suppression.py``, brute force over every table it draws): no count
below the threshold is published, every published number is true, and for a table without zero
counts no withheld entry can be worked out. A zero is information too: a cycle through a zero can
move one way only, so in a table with zeros a withheld count can, rarely, still be fixed; the
tests measure it rather than hide it.

No library fits: the statistical-disclosure tools that do this (sdcTable, tau-ARGUS) are R and
Java programs outside a closed network's Python stack.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5

Entry = tuple[int, int]  # (row, column) of the augmented table; row m / column n are the totals


@dataclass(frozen=True)
class Published:
    """A table as it may leave the system. ``None`` where withheld; the grand total always shown.
    ``primary``: the entries withheld for being small (the others protect them)."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int
    primary: frozenset[Entry]
    withheld: frozenset[Entry]  # in augmented coordinates (row totals at column n, column totals at row m)

    @property
    def suppressed(self) -> frozenset[Entry]:
        """The withheld counts (not totals)."""
        rows, columns = len(self.cells), len(self.cells[0])
        return frozenset((r, c) for r, c in self.withheld if r < rows and c < columns)


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def augmented(table: Sequence[Sequence[int]]) -> list[list[int]]:
    """The counts with their row totals as column n and column totals as row m (true values)."""
    rows, columns = len(table), len(table[0])
    out = [[*row, sum(row)] for row in table]
    column_totals = [sum(table[r][c] for r in range(rows)) for c in range(columns)]
    out.append([*column_totals, sum(column_totals)])
    return out


def suppress_table(
    table: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD, forced: Iterable[Entry] = ()
) -> Published:
    """Suppress a two-way table of counts (rows × columns, 2 × 2 at least). ``forced``: entries
    (augmented coordinates) to withhold as well, e.g. a margin another published table withholds;
    they are protected like the small ones."""
    rows = len(table)
    columns = len(table[0]) if rows else 0
    if rows < 2 or columns < 2 or any(len(row) != columns for row in table):
        raise ValueError("a table has 2 rows and 2 columns at least, all rows alike (a list: suppress_list)")
    if any(v < 0 for row in table for v in row):
        raise ValueError("counts cannot be negative")
    full = augmented(table)
    grand = (rows, columns)
    primary = {
        (r, c)
        for r in range(rows + 1)
        for c in range(columns + 1)
        if (r, c) != grand and is_small(full[r][c], threshold)
    }
    hidden = set(primary) | (set(forced) - {grand})
    while (bridge := _a_bridge(hidden)) is not None:
        hidden.add(_partner(full, hidden, bridge, grand))
    return Published(
        cells=tuple(tuple(None if (r, c) in hidden else full[r][c] for c in range(columns)) for r in range(rows)),
        row_totals=tuple(None if (r, columns) in hidden else full[r][columns] for r in range(rows)),
        column_totals=tuple(None if (rows, c) in hidden else full[rows][c] for c in range(columns)),
        total=full[rows][columns],
        primary=frozenset(primary),
        withheld=frozenset(hidden),
    )


def suppress_list(values: Sequence[int], threshold: int = DEFAULT_THRESHOLD, forced: Iterable[Entry] = ()) -> Published:
    """A one-way table with its total: a lone withheld count would be the total minus the rest,
    so the smallest other non-zero count is withheld with it. ``forced``: entries ``(0, c)`` to
    withhold as well (another table withholds them)."""
    if any(v < 0 for v in values):
        raise ValueError("counts cannot be negative")
    primary = {(0, c) for c, v in enumerate(values) if is_small(v, threshold)}
    hidden = set(primary) | {(0, c) for _r, c in forced}
    if len(hidden) == 1:
        others = [(v == 0, v, c) for c, v in enumerate(values) if (0, c) not in hidden]
        if others:
            hidden.add((0, min(others)[2]))
    return Published(
        cells=(tuple(None if (0, c) in hidden else v for c, v in enumerate(values)),),
        row_totals=(sum(values),),
        column_totals=(),
        total=sum(values),
        primary=frozenset(primary),
        withheld=frozenset(hidden),
    )


# --- the graph of withheld entries -------------------------------------------------------------

Node = tuple[str, int]


def _graph(edges: set[Entry]) -> dict[Node, list[tuple[Node, Entry]]]:
    graph: dict[Node, list[tuple[Node, Entry]]] = {}
    for r, c in sorted(edges):
        graph.setdefault(("r", r), []).append((("c", c), (r, c)))
        graph.setdefault(("c", c), []).append((("r", r), (r, c)))
    return graph


def _a_bridge(edges: set[Entry]) -> Entry | None:
    """The first bridge (row-column order) of the graph of withheld entries, or None; Tarjan's
    lowlink, iterative."""
    graph = _graph(edges)
    order: dict[Node, int] = {}
    low: dict[Node, int] = {}
    bridges: list[Entry] = []
    for root in sorted(graph):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[Node, Entry | None, int]] = [(root, None, 0)]
        while stack:
            node, via, i = stack[-1]
            if i < len(graph[node]):
                stack[-1] = (node, via, i + 1)
                neighbour, edge = graph[node][i]
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, edge, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if via is not None and low[node] > order[parent]:
                    bridges.append(via)
    return min(bridges) if bridges else None


def _reach(edges: set[Entry], start: Node) -> set[Node]:
    graph = _graph(edges)
    seen, todo = {start}, [start]
    while todo:
        for neighbour, _edge in graph.get(todo.pop(), []):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def _partner(full: list[list[int]], hidden: set[Entry], bridge: Entry, grand: Entry) -> Entry:
    r, c = bridge
    rest = hidden - {bridge}
    side_a, side_b = _reach(rest, ("r", r)), _reach(rest, ("c", c))

    def ids(side: set[Node], kind: str) -> list[int]:
        return [n for k, n in side if k == kind]

    joins = [(x, y) for x in ids(side_a, "r") for y in ids(side_b, "c")]
    joins += [(x, y) for x in ids(side_b, "r") for y in ids(side_a, "c")]
    candidates = [e for e in joins if e not in hidden and e != grand]
    if not candidates:
        rows, columns = len(full), len(full[0])
        candidates = [
            (x, y)
            for x in range(rows)
            for y in range(columns)
            if (x == r or y == c) and (x, y) not in hidden and (x, y) != grand
        ]
    if not candidates:
        raise ValueError("nothing left to withhold")  # cannot happen: a whole table has no bridge

    def cost(e: Entry) -> tuple[bool, bool, int, Entry]:
        is_total = e[0] == grand[0] or e[1] == grand[1]
        value = full[e[0]][e[1]]
        return (value == 0, is_total, value, e)

    return min(candidates, key=cost)
