"""Reads of persons: Japanese-aware search and duplicate detection, through the access door."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.core.types import User
from tsunagu.lib import kana
from tsunagu.lib.ages import birth_date_range
from tsunagu.people.access import persons_visible_to
from tsunagu.people.models import Person, PersonNameKey

SEARCH_LIMIT = 50
CANDIDATE_CAP = 2000
# A term starts at most three of a person's keys (family, full name, and given when it shares
# the prefix), so this many key entries bound CANDIDATE_CAP people.
KEYS_PER_PERSON = 3


def _decade_filter(decade: int, today: dt.date) -> Q:
    high = None if decade >= 80 else decade + 9
    earliest, latest = birth_date_range(decade, high, today)
    by_birth = Q(birth_date__lte=latest)
    if earliest is not None:
        by_birth &= Q(birth_date__gte=earliest)
    return by_birth | Q(birth_date__isnull=True, approx_decade=decade)


@dataclass
class SearchResult:
    persons: list[Person] = field(default_factory=list)
    more: bool = False  # more matches than shown: narrow the search
    too_broad: bool = False  # a name term matches too many people to list: add to it


def _people_starting_with(term: str) -> QuerySet[PersonNameKey]:
    # LIKE 'term%': an index range scan on PostgreSQL (text_pattern_ops); keys are lower-cased,
    # so SQLite's case-insensitive LIKE gives the same answers.
    return PersonNameKey.objects.filter(key__startswith=term)


def _is_narrow(term: str) -> bool:
    """Whether a term matches few enough keys to drive a search."""
    return _people_starting_with(term)[: KEYS_PER_PERSON * CANDIDATE_CAP + 1].count() <= (
        KEYS_PER_PERSON * CANDIDATE_CAP
    )


def person_search(
    *,
    user: User,
    q: str = "",
    birth_date: dt.date | None = None,
    decade: int | None = None,
    district_id: int | None = None,
    limit: int = SEARCH_LIMIT,
) -> SearchResult:
    """Persons the user may see matching every given criterion; each name term matches the start
    of a family name, a given name or the full name, in kanji or kana, variants folded.

    A name term that matches at most CANDIDATE_CAP people drives the query from the key index;
    those candidates are filtered and sorted here, so the cost follows the number of matches, not
    the size of the table (docs/quality.md P1). When every term is broader, the user is asked to narrow.
    """
    terms = [kana.search_key(t) for t in q.split()]
    terms = [t for t in terms if t]
    if not terms and birth_date is None and decade is None and district_id is None:
        return SearchResult()
    queryset: QuerySet[Person] = persons_visible_to(user)
    # One narrow term is enough to drive: the others only filter its candidates, so they are not
    # counted (counting a common given name such as 節子 to the cap costs more than the search).
    narrow = next(([term] for term in terms if _is_narrow(term)), [])
    joined = "".join(terms)
    if not narrow and len(terms) > 1 and _is_narrow(joined) and _people_starting_with(joined).exists():
        # "山田 花子": both parts are common, the full-name key "山田花子" is not.
        narrow = [joined]
    if terms and not narrow:
        access_record(user=user, action=Action.SEARCH, object_type="person", object_ids=[], reason="too broad")
        return SearchResult(too_broad=True)
    # The full-name key already holds every part, so when it drives, the parts add nothing.
    for term in narrow if narrow == [joined] else dict.fromkeys(narrow + terms):
        queryset = queryset.filter(pk__in=_people_starting_with(term).values("person_id"))
    if birth_date is not None:
        queryset = queryset.filter(birth_date=birth_date)
    if decade is not None:
        queryset = queryset.filter(_decade_filter(decade, timezone.localdate()))
    if district_id is not None:
        queryset = queryset.filter(household__district_id=district_id)
    related = ("household", "household__district")
    if narrow:
        # At most CANDIDATE_CAP rows: sort their keys here rather than let the database walk a
        # sorted index of the whole table looking for them.
        keys = sorted(queryset.values_list("key_kana", "key_name", "pk"))[: limit + 1]
        by_pk = Person.objects.select_related(*related).in_bulk([pk for _kana, _name, pk in keys])
        rows = [by_pk[pk] for _kana, _name, pk in keys]
    else:
        rows = list(queryset.select_related(*related).order_by("key_kana", "key_name", "pk")[: limit + 1])
    persons = rows[:limit]
    access_record(
        user=user,
        action=Action.SEARCH,
        object_type="person",
        object_ids=[p.pk for p in persons],
        person_ids=[p.pk for p in persons],
    )
    return SearchResult(persons=persons, more=len(rows) > limit)


def person_find_similar(
    *,
    user: User,
    family_name: str = "",
    given_name: str = "",
    family_name_kana: str = "",
    given_name_kana: str = "",
    birth_date: dt.date | None = None,
    exclude_pk: int | None = None,
) -> list[Person]:
    """Persons who may be the one being registered: the same normalised reading or name, with
    the same birth date, or with no birth date on one side to tell them apart."""
    key_name = kana.search_key(family_name + given_name)
    key_kana = kana.search_key(family_name_kana + given_name_kana)
    same_name = Q()
    if key_kana:
        same_name |= Q(key_kana=key_kana)
    if key_name:
        same_name |= Q(key_name=key_name)
    if not same_name:
        return []
    queryset = persons_visible_to(user).filter(same_name)
    if birth_date is not None:
        queryset = queryset.filter(Q(birth_date=birth_date) | Q(birth_date__isnull=True))
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    results = list(queryset.select_related("household")[:10])
    if results:
        access_record(
            user=user,
            action=Action.SEARCH,
            object_type="person",
            object_ids=[p.pk for p in results],
            person_ids=[p.pk for p in results],
            reason="duplicate check",
        )
    return results
