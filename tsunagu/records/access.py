"""The one door to progress records: a record is seen by whoever sees its case in full."""

from typing import Any

from django.http import Http404

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import Level, case_level
from tsunagu.records.models import ProgressRecord


def record_get_for_user(user: Any, pk: int, *, write: bool = False) -> ProgressRecord:
    record = ProgressRecord.objects.select_related("case", "case__household").filter(pk=pk).first()
    if record is None or case_level(user, record.case, write=write) != Level.FULL:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="record",
        object_ids=[record.pk],
        person_ids=record.persons.values_list("pk", flat=True),
        case_id=record.case_id,
    )
    return record
