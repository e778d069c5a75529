"""Who may import what (docs/access.md, decision 0038).

- Supervisors of the central desk (the ward's 相談窓口) import every kind: the ward-wide ledgers of
  consultations, households and persons, cases with any lead agency, and progress records of any
  case. The desk already sees every household and person; the supervisors are the ones who answer
  for the ward's data.
- A supervisor of another agency imports their agency's own progress records (支援経過記録), on the
  cases their agency is on the current team of (the case door's ``write`` rule).
- Nobody else imports (the secretariat and administrators read no case content). The import
  pages are list pages for them: 403; a batch they may not see: 404.

A batch is seen by the supervisors of the central desk and by whoever uploaded it.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.access import Level, cases_seen_by
from tsunagu.cases.models import Case
from tsunagu.core.types import User
from tsunagu.imports.models import ImportBatch, Kind


def is_ward_importer(user: User) -> bool:
    """A supervisor of the central desk."""
    supervised = staff_context(user).agency_ids(Role.SUPERVISOR)
    if not supervised:
        return False
    return Agency.objects.filter(pk__in=supervised, is_central_desk=True, active=True).exists()


def kinds_for(user: User) -> list[str]:
    """The kinds of ledger the user may import (empty: none)."""
    if is_ward_importer(user):
        return list(Kind.values)
    if staff_context(user).has_role(Role.SUPERVISOR):
        return [Kind.RECORDS]
    return []


def case_writer(user: User) -> Callable[[set[int]], set[int]]:
    """Which of the given case ids the user may import progress records on."""
    ward = is_ward_importer(user)

    def allowed(case_ids: set[int]) -> set[int]:
        ids = sorted(case_ids)
        found: set[int] = set()
        base = Case.objects.all() if ward else cases_seen_by(user, level=Level.FULL, write=True)
        for start in range(0, len(ids), 5_000):
            found |= set(base.filter(pk__in=ids[start : start + 5_000]).values_list("pk", flat=True))
        return found

    return allowed


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if is_ward_importer(user):
        return ImportBatch.objects.all()
    if kinds_for(user):
        return ImportBatch.objects.filter(Q(created_by=user))
    return ImportBatch.objects.none()


def batch_get_for_user(user: User, pk: int) -> ImportBatch:
    batch = batches_visible_to(user).select_related("created_by", "undone_by").filter(pk=pk).first()
    if batch is None or batch.kind not in kinds_for(user):
        raise Http404
    return batch
