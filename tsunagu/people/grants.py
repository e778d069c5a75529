"""Person grants: the bases, owned by apps above ``people``, on which a user sees a household.

``people`` sits below ``cases`` (decision 0013), yet a household is seen through its cases: the
team, or emergency access. So, as referrals and meetings give ``cases`` their grants (decision
0014), ``cases`` gives ``people`` a :class:`PersonGrant` from ``CasesConfig.ready()``:

- ``households(user, household_ref, write=)``: the households it opens, as a filter over the
  model whose field ``household_ref`` is the household (``Household``: ``"pk"``; ``Person``:
  ``"household_id"``); None for none; and
- ``explain(user, household_id)``: the :class:`ReadBasis` a read of the household's people is
  recorded under (the basis, the case it comes from, the reason), or None.

and a :class:`HouseholdCases` provider: the household page's list of cases, with the ones the
user may open. The desk's own rule (every household) stays in ``people.access``. An app that is
not installed registers nothing, so nothing opens (deny by default).
"""

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from tsunagu.people.models import Household


@dataclass(frozen=True)
class ReadBasis:
    """Why the user may read a household's people, and through which case (for the trail)."""

    basis: str  # "team", "emergency", "desk" (as cases.grants.Access.basis)
    case_id: int | None
    reason: str = ""


class PersonGrant(Protocol):
    name: str

    def households(self, user: Any, household_ref: str, *, write: bool) -> Q | None:
        """The households this grant opens to ``user`` (with ``write``: to change), as a filter
        over the model whose ``household_ref`` is the household; None for none."""

    def explain(self, user: Any, household_id: int) -> ReadBasis | None:
        """The basis a read of this household's people is recorded under, or None."""


@dataclass(frozen=True)
class HouseholdCaseList:
    """The household page's cases (newest first) and the ids of those the user may open."""

    cases: list[Any]
    openable: set[int]


class HouseholdCases(Protocol):
    def __call__(self, user: Any, household: Household) -> HouseholdCaseList: ...


_grants: dict[str, PersonGrant] = {}
_household_cases: HouseholdCases | None = None


def person_grant_register(grant: PersonGrant) -> None:
    """Add a basis of access to households (from the owning app's ``AppConfig.ready()``).
    Registering the same name twice with another class is a configuration error."""
    current = _grants.get(grant.name)
    if current is not None and type(current) is not type(grant):
        raise ImproperlyConfigured(f"Two person grants are named {grant.name!r}: {type(current)} and {type(grant)}")
    _grants[grant.name] = grant


def person_grants() -> tuple[PersonGrant, ...]:
    """The registered person grants, in the order they were registered."""
    return tuple(_grants.values())


def household_cases_register(provider: HouseholdCases) -> None:
    """Set the provider of the household page's list of cases (``cases`` does, in ``ready()``)."""
    global _household_cases
    _household_cases = provider


def household_cases(user: Any, household: Household) -> HouseholdCaseList:
    """The household page's cases and those the user may open; none without a provider."""
    if _household_cases is None:
        return HouseholdCaseList([], set())
    return _household_cases(user, household)
