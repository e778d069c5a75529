"""Routing suggestions from the editable rules (docs/domain.md §9). Suggestions only: the desk decides.

Each suggestion carries the rule that produced it and the fact that triggered it, so the desk can
see why an agency is proposed.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, RoutingRule, RuleCondition, TargetScope, TeamRole
from tsunagu.intake.models import Concern, Consultation
from tsunagu.lib.ages import add_months, add_years, estimate_age
from tsunagu.people.models import Disability, Household, Person
from tsunagu.people.services import district_for_postal_code


@dataclass
class Facts:
    """What is known when the desk triages; every fact may be unknown."""

    age: int | None = None
    birth_date: dt.date | None = None
    today: dt.date | None = None
    age_is_estimate: bool = False
    disability: str = Disability.UNKNOWN
    elderly_ages: list[int] = field(default_factory=list)
    elderly_flag: bool = False
    concerns: list[str] = field(default_factory=list)
    urgent: bool = False
    goal_work: bool = False
    area_id: int | None = None
    district_id: int | None = None


@dataclass
class Suggestion:
    agency: Agency
    role: str
    rule: RoutingRule
    because: str


def triage_facts(
    consultation: Consultation,
    *,
    today: dt.date,
    household: Household | None = None,
    household_data: Mapping[str, Any] | None = None,
    person: Person | None = None,
    person_data: Mapping[str, Any] | None = None,
    contact_decade: int | None = None,
) -> Facts:
    """The facts of a triage: the consultation, the household and person chosen (records) or being
    registered (their form data), and the family member who called (their decade)."""
    birth_date: dt.date | None
    decade: int | None
    disability: str | None
    if person is not None:
        birth_date, decade, disability = person.birth_date, person.approx_decade, person.disability
    else:
        given = person_data or {}
        birth_date, decade, disability = given.get("birth_date"), given.get("approx_decade"), given.get("disability")
    age, estimated = estimate_age(birth_date=birth_date, decade=decade, today=today)
    elderly: list[int] = []
    if household is not None:
        for member in household.members.all():
            member_age, _est = estimate_age(birth_date=member.birth_date, decade=member.approx_decade, today=today)
            if member_age is not None:
                elderly.append(member_age)
    if contact_decade is not None:
        elderly.append(contact_decade + 5)
    district = None
    if household is not None:
        district = household.district
    elif household_data:
        district = household_data.get("district") or district_for_postal_code(household_data.get("postal_code", ""))
    return Facts(
        age=age,
        birth_date=birth_date,
        today=today,
        age_is_estimate=estimated,
        disability=disability or "unknown",
        elderly_ages=elderly,
        elderly_flag=bool(
            household.sig_elderly_parent if household else (household_data or {}).get("sig_elderly_parent")
        ),
        concerns=list(consultation.concerns),
        urgent=consultation.urgent,
        area_id=district.area_id if district else None,
        district_id=district.pk if district else None,
    )


def _matches(rule: RoutingRule, facts: Facts, lead_age_max: int | None) -> str | None:
    """The triggering fact in words, or None when the rule does not apply."""
    n = rule.threshold
    age_text = _("推定%(age)s歳") % {"age": facts.age} if facts.age_is_estimate else _("%(age)s歳") % {"age": facts.age}
    if rule.condition == RuleCondition.AGE_AT_MOST and facts.age is not None and n is not None and facts.age <= n:
        return age_text
    if rule.condition == RuleCondition.AGE_AT_LEAST and facts.age is not None and n is not None and facts.age >= n:
        return age_text
    if rule.condition == RuleCondition.DISABILITY and facts.disability in (
        Disability.CERTIFICATE,
        Disability.DIAGNOSED,
        Disability.SUSPECTED,
    ):
        return str(Disability(facts.disability).label)
    if rule.condition == RuleCondition.ELDERLY_MEMBER:
        limit = n or 65
        old = [a for a in facts.elderly_ages if a >= limit]
        if old:
            return _("世帯に%(age)s歳の人") % {"age": max(old)}
        if facts.elderly_flag:
            return _("高齢の親がいる")
    if rule.condition == RuleCondition.SCHOOL:
        if facts.age is not None and 6 <= facts.age <= 18:
            return age_text
        if Concern.WITHDRAWAL in facts.concerns and facts.age is not None and facts.age < 20:
            return _("不登校")
    if rule.condition == RuleCondition.HEALTH_RISK and (facts.urgent or Concern.ABUSE in facts.concerns):
        return _("緊急（生命・健康の危険）")
    if rule.condition == RuleCondition.GOAL_WORK and (
        facts.goal_work or Concern.JOB_SEARCH in facts.concerns or Concern.WORK in facts.concerns
    ):
        return _("就労の希望")
    if rule.condition == RuleCondition.NEARING_AGE_LIMIT and lead_age_max is not None and facts.age is not None:
        if facts.birth_date is None or facts.today is None:
            return None
        months = n or 6
        ages_out = add_years(facts.birth_date, lead_age_max + 1)
        if facts.today <= ages_out <= add_months(facts.today, months):
            return _("%(date)sに対象年齢の上限（%(max)s歳）を超える") % {
                "date": ages_out.isoformat(),
                "max": lead_age_max,
            }
    return None


def _targets(rule: RoutingRule, facts: Facts) -> list[Agency]:
    if rule.scope == TargetScope.SPECIFIC:
        return [a for a in rule.target_agencies.all() if a.active]
    agencies = Agency.objects.filter(active=True, kind__in=rule.kinds())
    if rule.scope == TargetScope.DISTRICT:
        scoped = agencies.filter(district_id=facts.district_id) if facts.district_id else agencies.none()
        return list(scoped)
    if rule.scope == TargetScope.AREA:
        scoped = agencies.filter(area_id=facts.area_id) if facts.area_id else agencies.none()
        if scoped.exists():
            return list(scoped)
        # Ward-wide agencies of the kind serve every area.
        return list(agencies.filter(area__isnull=True, district__isnull=True))
    return list(agencies.filter(area__isnull=True, district__isnull=True))


def suggest(facts: Facts) -> list[Suggestion]:
    """Suggestions, lead first then partners, each agency once (the first rule that named it).

    The age-limit rule looks at the suggested lead, so it is evaluated after the others.
    """
    suggestions: list[Suggestion] = []
    seen: set[tuple[int, str]] = set()
    rules = list(
        RoutingRule.objects.filter(active=True).prefetch_related("target_agencies").order_by("priority", "code")
    )
    later = [r for r in rules if r.condition == RuleCondition.NEARING_AGE_LIMIT]
    for rule in [r for r in rules if r.condition != RuleCondition.NEARING_AGE_LIMIT] + later:
        lead_age_max = next((s.agency.age_max for s in suggestions if s.role == TeamRole.LEAD), None)
        because = _matches(rule, facts, lead_age_max)
        if because is None:
            continue
        for agency in _targets(rule, facts):
            key = (agency.pk, rule.team_role)
            if key in seen:
                continue
            seen.add(key)
            suggestions.append(Suggestion(agency=agency, role=rule.team_role, rule=rule, because=because))
    suggestions.sort(key=lambda s: 0 if s.role == TeamRole.LEAD else 1)
    return suggestions
