"""Writes of the reports app: the secretariat's estimate parameters (issue 13 item 3)."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.reports.models import PrevalenceEstimate

ESTIMATE_FIELDS = ("label", "age_low", "age_high", "population", "rate_percent", "note")


def _check(fields: dict[str, Any]) -> None:
    low, high = fields.get("age_low"), fields.get("age_high")
    if low is not None and high is not None and high < low:
        raise ValidationError({"age_high": [_("年齢の上限は下限以上にしてください。")]})


def estimate_create(*, user: User, fields: dict[str, Any], key: uuid.UUID | None = None) -> PrevalenceEstimate:
    """A new estimate row; the same form sent twice makes one row (R3)."""
    fields = {name: fields.get(name) for name in ESTIMATE_FIELDS}
    _check(fields)

    def create() -> PrevalenceEstimate:
        estimate = PrevalenceEstimate(created_by=user, updated_by=user, **fields)
        estimate.full_clean(exclude=["created_by", "updated_by"])
        estimate.save()
        return estimate

    with transaction.atomic():
        estimate, _created = create_once(key=key, user=user, create=create)
    return estimate


def estimate_update(
    *, user: User, estimate: PrevalenceEstimate, expected_version: int, fields: dict[str, Any]
) -> PrevalenceEstimate:
    """Change an estimate row unless somebody changed it since ``expected_version`` (R2)."""
    fields = {name: fields.get(name) for name in ESTIMATE_FIELDS}
    _check(fields)
    candidate = PrevalenceEstimate(pk=estimate.pk, **fields)
    candidate.full_clean(exclude=["created_by", "updated_by"], validate_unique=False)
    return save_versioned(obj=estimate, expected_version=expected_version, user=user, fields=fields)
