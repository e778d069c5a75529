"""Keyset pagination (core/paging.py): walking the pages returns every row exactly once, in order,
whatever the ties, the empty values and the page size; a bad cursor is the first page."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.cases.models import TimelineEntry
from tsunagu.core.paging import Ordering, cursor_make, cursor_read, paginate

BASE = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
ORDERINGS = [
    Ordering.of("newest", "-at", "-pk"),
    Ordering.of("kind", "kind", "-at", "pk"),
    Ordering.of("object", "object_id", "pk", nullable=["object_id"]),
    Ordering.of("object_desc", "-object_id", "kind", "-pk", nullable=["object_id"]),
]
ROW = st.tuples(st.integers(0, 3), st.sampled_from(["opened", "record", "status"]), st.sampled_from([None, 1, 2]))
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def expected_order(rows, ordering):
    """The ordering in Python: a stable sort per key from the last, empty values last."""
    ordered = list(rows)
    for key in reversed(ordering.keys):
        path = "pk" if key.path == "pk" else key.path

        def value(row, path=path):
            return getattr(row, path)

        if key.descending:
            ordered.sort(key=lambda r, value=value: (value(r) is not None, value(r)), reverse=True)
        else:
            ordered.sort(key=lambda r, value=value: (value(r) is None, value(r)))
    return [row.pk for row in ordered]


def walk(queryset, ordering, size):
    """Follow 次へ from the first page to the last, then 前へ back to the first."""
    params = QueryDict(mutable=True)
    pages = []
    while True:
        page = paginate(queryset, ordering, params, size=size)
        pages.append([row.pk for row in page])
        assert len(pages) <= 1000
        if not page.next_url:
            break
        params = QueryDict(page.next_url[1:])
    back = [pages[-1]]
    while page.prev_url:
        params = QueryDict(page.prev_url[1:])
        page = paginate(queryset, ordering, params, size=size)
        back.append([row.pk for row in page])
        assert len(back) <= 1000
    return pages, back[::-1]


@given(rows=st.lists(ROW, max_size=40), size=st.integers(1, 12), which=st.integers(0, len(ORDERINGS) - 1))
@PROPERTY
@pytest.mark.django_db
def test_walking_the_pages_returns_every_row_once_in_order(world, rows, size, which):
    TimelineEntry.objects.filter(case=world.case).delete()
    made = TimelineEntry.objects.bulk_create(
        TimelineEntry(case=world.case, at=BASE + dt.timedelta(hours=hour), kind=kind, object_id=obj, summary="s")
        for hour, kind, obj in rows
    )
    if not made or made[0].pk is None:  # SQLite before 3.35 returns no keys from bulk_create
        made = list(TimelineEntry.objects.filter(case=world.case))
    ordering = ORDERINGS[which]
    queryset = TimelineEntry.objects.filter(case=world.case)
    forward, backward = walk(queryset, ordering, size)
    assert [pk for page in forward for pk in page] == expected_order(made, ordering)
    assert all(0 < len(page) <= size for page in forward) or not rows
    assert backward == forward  # 前へ retraces the same pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    ["", "garbage", "a" * 5000, "eyJvIjoibmV3ZXN0In0:1abc:xyz", None],
)
def test_a_bad_cursor_is_the_first_page(world, cursor):
    queryset = TimelineEntry.objects.filter(case=world.case)
    ordering = ORDERINGS[0]
    params = QueryDict(mutable=True)
    if cursor is not None:
        params["after"] = cursor
    first = paginate(queryset, ordering, QueryDict(), size=2)
    assert [r.pk for r in paginate(queryset, ordering, params, size=2)] == [r.pk for r in first]


@pytest.mark.django_db
def test_a_cursor_of_another_ordering_or_a_forged_one_is_refused(world):
    entry = TimelineEntry.objects.filter(case=world.case).first()
    cursor = cursor_make(ORDERINGS[0], entry)
    assert cursor_read(ORDERINGS[0], cursor) is not None
    assert cursor_read(ORDERINGS[1], cursor) is None
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert cursor_read(ORDERINGS[0], forged) is None


@pytest.mark.django_db
def test_the_links_keep_the_other_parameters(world):
    for n in range(5):
        TimelineEntry.objects.create(case=world.case, at=timezone.now(), kind="record", summary=f"{n}")
    params = QueryDict("status=active&area=ikejiri&area=taishido")
    page = paginate(TimelineEntry.objects.filter(case=world.case), ORDERINGS[0], params, size=2, anchor="timeline")
    following = QueryDict(page.next_url[1:].split("#")[0])
    assert following["status"] == "active" and following.getlist("area") == ["ikejiri", "taishido"]
    assert page.next_url.endswith("#timeline") and page.prev_url == ""


def test_an_ordering_must_end_with_the_primary_key():
    with pytest.raises(ValueError, match="primary key"):
        Ordering.of("bad", "-at")
