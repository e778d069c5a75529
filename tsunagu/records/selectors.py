"""Reads of progress records for other pages (the work page's contact columns)."""

import datetime as dt

from django.db.models import Count, DateField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tsunagu.cases.models import Case
from tsunagu.records.models import ProgressRecord


def with_contact(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with what its records say about contact, in the same query:
    ``next_action_on``/``next_action_text`` (of the latest record), ``last_reached_on`` (the day of
    the latest record that reached the person) and ``unanswered`` (records without contact since)."""
    latest = ProgressRecord.objects.filter(case=OuterRef("pk")).order_by("-occurred_on", "-pk")
    reached = ProgressRecord.objects.filter(case=OuterRef("pk"), reached=True).order_by("-occurred_on", "-pk")
    unanswered_after = (
        ProgressRecord.objects.filter(case=OuterRef("pk"), reached=False)
        .filter(occurred_on__gt=Coalesce(OuterRef("last_reached_on"), Value(dt.date.min), output_field=DateField()))
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        next_action_on=Subquery(latest.values("next_action_on")[:1]),
        next_action_text=Subquery(latest.values("next_action")[:1]),
        last_reached_on=Subquery(reached.values("occurred_on")[:1]),
    ).annotate(unanswered=Coalesce(Subquery(unanswered_after, output_field=IntegerField()), 0))
