import datetime as dt
from typing import Any

from django.utils import timezone

from tsunagu.intake.models import Channel, Concern, Consultation, ContactType, FamilyRelation, Screening
from tsunagu.intake.services import new_reference_code


def consultation_make(*, case=None, triaged_by=None, **fields: Any) -> Consultation:
    """A consultation as the desk would have recorded it; triaged when ``case`` is given."""
    values: dict[str, Any] = {
        "reference_code": new_reference_code(),
        "received_at": timezone.now() - dt.timedelta(hours=2),
        "channel": Channel.PHONE,
        "contact_type": ContactType.FAMILY,
        "contact_relation": FamilyRelation.MOTHER,
        "concerns": [Concern.WITHDRAWAL],
        "main_concern": Concern.WITHDRAWAL,
        "summary": "息子が部屋から出てこない。",
    }
    if case is not None:
        values.update(case=case, screening=Screening.CONTINUE, triaged_at=timezone.now(), triaged_by=triaged_by)
    values.update(fields)
    return Consultation.objects.create(**values)
