"""What cases gives ``people``: the households a user sees through their cases (decision 0014).

``people`` sits below ``cases`` and may not import it (decision 0013), yet a household is seen
through its cases. So ``CasesConfig.ready()`` registers, into ``people/grants.py``:

- :class:`CasesPersonGrant`: the households of a case the user sees in full by the case grants
  (the team; for reading also emergency access), with ``write`` of a case they may change (the
  team); and the basis, case and reason a read of their people is recorded under; and
- :func:`household_cases`: the household page's cases, with the ones the user may open.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tsunagu.cases.access import Level, cases_openable, cases_seen_by, household_case_access
from tsunagu.people.grants import HouseholdCaseList, ReadBasis
from tsunagu.people.models import Household


class CasesPersonGrant:
    """A :class:`tsunagu.people.grants.PersonGrant`: the FULL case grants, seen from a household."""

    name = "cases"

    def households(self, user: Any, household_ref: str, *, write: bool) -> Q | None:
        cases = cases_seen_by(user, level=Level.FULL, write=write)
        return Q(Exists(cases.filter(household_id=OuterRef(household_ref))))

    def explain(self, user: Any, household_id: int) -> ReadBasis | None:
        found = household_case_access(user, household_id)
        if found is None:
            return None
        case_id, access = found
        return ReadBasis(access.basis, case_id, access.reason)


def household_cases(user: Any, household: Household) -> HouseholdCaseList:
    """The household's cases, newest first, and those the user may open (one query each):
    the others are shown by number, not linked."""
    cases = list(household.cases.order_by("-opened_at"))
    return HouseholdCaseList(cases, cases_openable(user, [case.pk for case in cases]))
