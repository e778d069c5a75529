from typing import Any

from django.db.models import Prefetch

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_visible_to
from tsunagu.cases.models import Case, CaseAgency, CaseStatus


def case_list(*, user: Any, include_closed: bool = False, limit: int = 200) -> list[Case]:
    queryset = cases_visible_to(user)
    if not include_closed:
        queryset = queryset.exclude(status=CaseStatus.CLOSED)
    rows = list(
        queryset.select_related("household", "household__district")
        .prefetch_related(Prefetch("team", queryset=CaseAgency.objects.select_related("agency")))
        .order_by("-opened_at")[:limit]
    )
    access_record(user=user, action=Action.LIST, object_type="case", object_ids=[c.pk for c in rows])
    return rows
