"""The one door to progress records: a record is seen by whoever sees its case in full."""

from django.http import Http404

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import event_reason, full_access
from tsunagu.core.types import User
from tsunagu.records.models import ProgressRecord


def record_get_for_user(user: User, pk: int, *, write: bool = False) -> ProgressRecord:
    record = ProgressRecord.objects.select_related("case", "case__household").filter(pk=pk).first()
    access = full_access(user, record.case, write=write) if record is not None else None
    if record is None or access is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="record",
        object_ids=[record.pk],
        person_ids=record.persons.values_list("pk", flat=True),
        case_id=record.case_id,
        reason=event_reason(access),
        basis=access.basis,
    )
    return record
