"""Small-cell protection (issue 13 item 4), checked by brute force: for each withheld count or
total, a search for another table of non-negative counts that agrees with everything published
(counts, totals, the grand total) but differs there. Found: the entry cannot be worked out."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.lib.suppression import augmented, suppress_list, suppress_table

THRESHOLD = 5


def another_table_differs_at(published, truth, entry):
    """Whether some table of non-negative counts agrees with everything published and differs
    from ``truth`` at ``entry`` (augmented coordinates), by depth-first search over the withheld
    counts, nearest values first."""
    rows, columns = len(truth), len(truth[0])
    unknown = sorted(published.suppressed)
    row_left = [t if t is not None else None for t in published.row_totals]
    col_left = [t if t is not None else None for t in published.column_totals]
    grand_left = published.total
    for r in range(rows):
        for c in range(columns):
            v = published.cells[r][c]
            if v is not None:
                grand_left -= v
                if row_left[r] is not None:
                    row_left[r] -= v
                if col_left[c] is not None:
                    col_left[c] -= v
    chosen: dict[tuple[int, int], int] = {}

    def differs():
        r, c = entry
        if r < rows and c < columns:
            return chosen[entry] != truth[r][c]
        if c == columns:  # a row total
            return sum(
                published.cells[r][x] if published.cells[r][x] is not None else chosen[(r, x)] for x in range(columns)
            ) != sum(truth[r])
        return sum(
            published.cells[y][c] if published.cells[y][c] is not None else chosen[(y, c)] for y in range(rows)
        ) != sum(truth[y][c] for y in range(rows))

    def walk(i):
        nonlocal grand_left
        if i == len(unknown):
            return grand_left == 0 and all(v in (None, 0) for v in row_left + col_left) and differs()
        r, c = unknown[i]
        high = grand_left
        if row_left[r] is not None:
            high = min(high, row_left[r])
        if col_left[c] is not None:
            high = min(high, col_left[c])
        for v in sorted(range(high + 1), key=lambda v: (abs(v - truth[r][c]), v)):
            chosen[(r, c)] = v
            grand_left -= v
            if row_left[r] is not None:
                row_left[r] -= v
            if col_left[c] is not None:
                col_left[c] -= v
            found = walk(i + 1)
            grand_left += v
            if row_left[r] is not None:
                row_left[r] += v
            if col_left[c] is not None:
                col_left[c] += v
            if found:
                return True
        return False

    return walk(0)


def shape(values, max_columns=4):
    return st.integers(min_value=2, max_value=3).flatmap(
        lambda rows: st.integers(min_value=2, max_value=max_columns).flatmap(
            lambda cols: st.lists(st.lists(values, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
        )
    )


def assert_published_is_true_and_never_small(table, published):
    full = augmented(table)
    rows, columns = len(table), len(table[0])
    assert published.total == full[rows][columns]
    shown = [(published.cells[r][c], full[r][c]) for r in range(rows) for c in range(columns)]
    shown += [(published.row_totals[r], full[r][columns]) for r in range(rows)]
    shown += [(published.column_totals[c], full[rows][c]) for c in range(columns)]
    for value, true in shown:
        assert value is None or value == true  # totals and counts stay true
        assert value is None or not 0 < value < THRESHOLD  # no small number leaves
    assert published.primary <= published.withheld


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape(st.integers(min_value=1, max_value=9), max_columns=3))
def test_without_zero_counts_no_withheld_entry_can_be_worked_out(table):
    published = suppress_table(table, THRESHOLD)
    assert_published_is_true_and_never_small(table, published)
    for entry in sorted(published.withheld):
        assert another_table_differs_at(published, table, entry), (table, entry)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape(st.integers(min_value=0, max_value=9)))
def test_with_zero_counts_nothing_small_is_published_and_totals_stay_true(table):
    assert_published_is_true_and_never_small(table, suppress_table(table, THRESHOLD))


def test_a_lone_small_count_is_protected_by_the_smallest_rectangle_of_counts():
    table = [[20, 30, 40], [25, 3, 35], [50, 60, 70]]
    published = suppress_table(table, THRESHOLD)
    assert published.primary == {(1, 1)}
    assert published.withheld == {(0, 0), (0, 1), (1, 0), (1, 1)}  # the smallest counts around it
    assert published.row_totals == (90, 63, 180) and published.total == 333


def test_two_small_counts_in_one_row_are_not_enough():
    """Their column totals would give each away: a second row joins them."""
    published = suppress_table([[2, 3, 40], [30, 30, 30]], THRESHOLD)
    assert {(0, 0), (0, 1)} <= published.withheld
    assert any(r == 1 for r, _c in published.withheld)
    for entry in published.withheld:
        assert another_table_differs_at(published, [[2, 3, 40], [30, 30, 30]], entry)


def test_a_small_total_is_withheld_too():
    table = [[1, 2, 30], [10, 20, 30]]
    published = suppress_table(table, THRESHOLD)
    assert published.row_totals[0] == 33  # not small
    assert published.column_totals[0] == 11
    table = [[1, 2, 0], [10, 20, 30]]  # row total 3
    published = suppress_table(table, THRESHOLD)
    assert published.row_totals[0] is None


def test_a_table_without_small_numbers_is_published_whole():
    published = suppress_table([[5, 0], [7, 9]], THRESHOLD)
    assert published.withheld == frozenset()
    assert published.cells == ((5, 0), (7, 9))


def test_the_threshold_is_a_parameter():
    assert suppress_table([[9, 20], [20, 20]], 10).primary == {(0, 0)}
    assert suppress_table([[9, 20], [20, 20]], 5).withheld == frozenset()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=8))
def test_a_list_never_withholds_a_lone_count(values):
    published = suppress_list(values, THRESHOLD)
    assert published.total == sum(values)
    assert all(v is None or (v == values[c] and not 0 < v < THRESHOLD) for c, v in enumerate(published.cells[0]))
    hidden = published.withheld
    small = [c for c, v in enumerate(values) if 0 < v < THRESHOLD]
    if len(small) == 1 and any(v for c, v in enumerate(values) if c != small[0]):
        assert len(hidden) == 2
    if len(hidden) >= 2:
        # each withheld count can move by one against another withheld non-zero one
        assert sum(values[c] for _r, c in hidden) >= 1


def test_what_is_not_a_table_is_refused():
    with pytest.raises(ValueError, match="suppress_list"):
        suppress_table([[1, 2, 3]])
    with pytest.raises(ValueError):
        suppress_table([[1, -2], [3, 4]])
