"""Reads of persons: Japanese-aware search and duplicate detection, through the access door."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.lib import kana
from tsunagu.lib.ages import birth_date_range
from tsunagu.people.access import persons_visible_to
from tsunagu.people.models import Person, PersonNameKey

SEARCH_LIMIT = 50


def _decade_filter(decade: int, today: dt.date) -> Q:
    high = None if decade >= 80 else decade + 9
    earliest, latest = birth_date_range(decade, high, today)
    by_birth = Q(birth_date__lte=latest)
    if earliest is not None:
        by_birth &= Q(birth_date__gte=earliest)
    return by_birth | Q(birth_date__isnull=True, approx_decade=decade)


def person_search(
    *,
    user: Any,
    q: str = "",
    birth_date: dt.date | None = None,
    decade: int | None = None,
    district_id: int | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[Person]:
    """Persons the user may see matching every given criterion; each name term matches the start
    of a family name, a given name or the full name, in kanji or kana, variants folded."""
    terms = [kana.search_key(t) for t in q.split()]
    terms = [t for t in terms if t]
    if not terms and birth_date is None and decade is None and district_id is None:
        return []
    queryset: QuerySet[Person] = persons_visible_to(user)
    for term in terms:
        # LIKE 'term%': an index range scan on PostgreSQL (text_pattern_ops); keys are
        # lower-cased, so SQLite's case-insensitive LIKE gives the same answers.
        matching = PersonNameKey.objects.filter(key__startswith=term).values("person_id")
        queryset = queryset.filter(pk__in=matching)
    if birth_date is not None:
        queryset = queryset.filter(birth_date=birth_date)
    if decade is not None:
        queryset = queryset.filter(_decade_filter(decade, timezone.localdate()))
    if district_id is not None:
        queryset = queryset.filter(household__district_id=district_id)
    results = list(
        queryset.select_related("household", "household__district").order_by("key_kana", "key_name", "pk")[:limit]
    )
    access_record(
        user=user,
        action=Action.SEARCH,
        object_type="person",
        object_ids=[p.pk for p in results],
        person_ids=[p.pk for p in results],
    )
    return results


def person_find_similar(
    *,
    user: Any,
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
