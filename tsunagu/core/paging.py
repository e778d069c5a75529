"""Keyset ("seek") pagination for every list (docs/decisions/0018-keyset-pagination.md).

A list is ordered by an ``Ordering``: named sort keys ending with a unique one (the primary key),
so that every row has exactly one place. A page is the ``size`` rows after (or before) the row a
cursor names, read with one query of ``size + 1`` rows: no ``OFFSET`` and no count of the whole
list, so the cost of page 1 and of page 1,000 is the same.

The cursor is the sort-key values of the last (or first) row shown, signed with the secret key
(``django.core.signing``) and put in the query string. A cursor that does not verify, belongs to
another ordering or does not decode is ignored: the list shows its first page, never an error.
Signing is not what keeps rows hidden (the list's queryset, built on the one access filter, does
that); it keeps the cursor opaque and its values typed.

Nullable sort keys sort their empty values last in both directions (``nulls_last``).
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict

SALT = "tsunagu.core.paging"
DEFAULT_SIZE = 50
MAX_CURSOR_LENGTH = 2000

T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    """One sort key: a field path (``opened_at``, ``household__district__name``), an annotation
    name or ``pk``; descending or not; whether it may be empty."""

    path: str
    descending: bool = False
    nullable: bool = False

    def order(self, *, reverse: bool) -> OrderBy:
        # Forward: empty values last. Backwards (reading the rows before a cursor) everything
        # flips, empty values included, so the reversed page is the same rows in reverse.
        descending = self.descending != reverse
        # Only a nullable key says where empty values go: "DESC NULLS LAST" would not match a
        # plain descending index on PostgreSQL, whose default for DESC is NULLS FIRST.
        nulls = {} if not self.nullable else {"nulls_first": True} if reverse else {"nulls_last": True}
        return F(self.path).desc(**nulls) if descending else F(self.path).asc(**nulls)

    def value(self, row: Any) -> Any:
        if isinstance(row, dict):
            return row[self.path]
        value = row
        for part in self.path.split("__"):
            if value is None:
                return None
            value = getattr(value, part)
        return value

    def beyond(self, value: Any, *, reverse: bool) -> Q | None:
        """The rows strictly after ``value`` on this key (before it when ``reverse``); None when
        there are none."""
        if value is None:
            # Empty values come last: nothing is after them; every non-empty value is before.
            return Q(**{f"{self.path}__isnull": False}) if reverse else None
        lookup = "lt" if self.descending != reverse else "gt"
        strictly = Q(**{f"{self.path}__{lookup}": value})
        if self.nullable and not reverse:
            strictly |= Q(**{f"{self.path}__isnull": True})
        return strictly

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})

    def bound(self, value: Any, *, reverse: bool) -> Q | None:
        """A redundant range condition on the first key that an index can start from (the
        OR-expanded condition alone is not one PostgreSQL turns into an index bound)."""
        if value is None or self.nullable:
            return None
        lookup = "lte" if self.descending != reverse else "gte"
        return Q(**{f"{self.path}__{lookup}": value})


@dataclass(frozen=True)
class Ordering:
    """A named order for a list; the last key must be unique (the primary key)."""

    name: str
    keys: tuple[Key, ...]
    label: Any = ""

    @classmethod
    def of(
        cls, name: str, *paths: str, nullable: Sequence[str] = (), label: Any = "", unique: bool = False
    ) -> "Ordering":
        """``Ordering.of("opened", "-opened_at", "-pk")``: a leading ``-`` sorts descending.
        ``unique``: the keys together are unique without the primary key (rows of an aggregate,
        one per group), which the caller vouches for."""
        keys = tuple(
            Key(path.lstrip("-"), descending=path.startswith("-"), nullable=path.lstrip("-") in nullable)
            for path in paths
        )
        if not keys or (keys[-1].path not in ("pk", "id") and not unique):
            raise ValueError("an ordering ends with the primary key, which breaks every tie")
        return cls(name=name, keys=keys, label=label)

    def order_by(self, *, reverse: bool = False) -> list[OrderBy]:
        return [key.order(reverse=reverse) for key in self.keys]

    def seek(self, values: Sequence[Any], *, reverse: bool = False) -> Q:
        """The rows strictly after the row with these key values (before it when ``reverse``)."""
        alternatives: Q | None = None
        ties = Q()
        for key, value in zip(self.keys, values, strict=True):
            beyond = key.beyond(value, reverse=reverse)
            if beyond is not None:
                alternatives = ties & beyond if alternatives is None else alternatives | (ties & beyond)
            ties &= key.equal(value)
        assert alternatives is not None  # the primary key is never empty, so it always adds one
        bound = self.keys[0].bound(values[0], reverse=reverse)
        return alternatives & bound if bound is not None else alternatives

    def values(self, row: Any) -> list[Any]:
        return [key.value(row) for key in self.keys]


def _encode(value: Any) -> list[Any]:
    if value is None:
        return ["n", None]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"a sort key of type {type(value).__name__} cannot be put in a cursor")


def _decode(pair: Any) -> Any:
    tag, raw = pair
    if tag == "n" and raw is None:
        return None
    if tag == "b" and isinstance(raw, bool):
        return raw
    if tag == "i" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tag == "s" and isinstance(raw, str):
        return raw
    if tag == "t" and isinstance(raw, str):
        return dt.datetime.fromisoformat(raw)
    if tag == "d" and isinstance(raw, str):
        return dt.date.fromisoformat(raw)
    raise ValueError("unknown value in a cursor")


def cursor_make(ordering: Ordering, row: Any, *, backwards: bool = False) -> str:
    payload = {"o": ordering.name, "b": backwards, "v": [_encode(v) for v in ordering.values(row)]}
    return signing.dumps(payload, salt=SALT)


def cursor_read(ordering: Ordering, cursor: str | None) -> tuple[bool, list[Any]] | None:
    """(backwards, key values) of a valid cursor for this ordering; None for anything else."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        payload = signing.loads(cursor, salt=SALT)
        if not isinstance(payload, dict) or payload.get("o") != ordering.name:
            return None
        backwards, raw = payload["b"], payload["v"]
        if not isinstance(backwards, bool) or not isinstance(raw, list) or len(raw) != len(ordering.keys):
            return None
        values = [_decode(pair) for pair in raw]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return backwards, values


@dataclass
class Page(Generic[T]):
    """One page of a list, with the links to the pages around it (query strings that keep every
    other parameter, such as the filters); an empty link means there is no such page."""

    rows: list[T]
    next_url: str = ""
    prev_url: str = ""
    ordering: Ordering | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_url or self.prev_url)


def _link(params: QueryDict, param: str, cursor: str, anchor: str) -> str:
    query = params.copy()
    query[param] = cursor
    return "?" + query.urlencode() + (f"#{anchor}" if anchor else "")


def paginate(
    queryset: QuerySet[Any, T],
    ordering: Ordering,
    params: QueryDict,
    *,
    param: str = "after",
    size: int = DEFAULT_SIZE,
    anchor: str = "",
) -> Page[T]:
    """The page of ``queryset`` in ``ordering`` that the cursor in ``params[param]`` names (the
    first page without a valid one): one query."""
    position = cursor_read(ordering, params.get(param))
    if position is not None and position[0]:
        before = queryset.filter(ordering.seek(position[1], reverse=True))
        rows = list(before.order_by(*ordering.order_by(reverse=True))[: size + 1])
        if rows:
            earlier = len(rows) > size
            rows = rows[:size][::-1]
            return Page(
                rows=rows,
                next_url=_link(params, param, cursor_make(ordering, rows[-1]), anchor),
                prev_url=_link(params, param, cursor_make(ordering, rows[0], backwards=True), anchor)
                if earlier
                else "",
                ordering=ordering,
            )
        position = None  # nothing before it any more: the first page
    rows = []
    if position is not None:
        rows = list(queryset.filter(ordering.seek(position[1])).order_by(*ordering.order_by())[: size + 1])
        if not rows:
            position = None  # nothing after it any more: the first page
    if position is None:
        rows = list(queryset.order_by(*ordering.order_by())[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_url=_link(params, param, cursor_make(ordering, rows[-1]), anchor) if more else "",
        prev_url=_link(params, param, cursor_make(ordering, rows[0], backwards=True), anchor)
        if position is not None and rows
        else "",
        ordering=ordering,
    )
