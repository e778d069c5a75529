"""Creating and editing events (issue 12): checked whole, written at once or not at all."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.core.services import create_once, save_versioned
from tsunagu.places.event_access import event_can_write
from tsunagu.places.models import Event

EVENT_FIELDS = (
    "title",
    "kind",
    "place",
    "description",
    "starts_at",
    "ends_at",
    "venue",
    "district",
    "audience",
    "how_to_apply",
    "apply_by",
    "capacity",
    "is_public",
)


def _check(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    starts_at, ends_at = fields["starts_at"], fields.get("ends_at")
    if ends_at is not None and ends_at < starts_at:
        errors["ends_time"] = [_("終了時刻は開始時刻より後にしてください。")]
    apply_by = fields.get("apply_by")
    if apply_by is not None and apply_by > starts_at.date():
        errors["apply_by"] = [_("申し込みの締切は開催日までの日にしてください。")]
    if errors:
        raise ValidationError(errors)


def event_create(*, user, agency, fields: dict[str, Any], key: uuid.UUID | None = None) -> tuple[Event, bool]:
    """A new event of ``agency`` (one of the user's); the same form sent twice makes one event."""
    probe = Event(agency=agency)
    if not event_can_write(user, probe):
        raise ValidationError({"agency": [_("この機関の催しは登録できません。")]})
    fields = {name: fields.get(name) for name in EVENT_FIELDS if name in fields}
    _check(fields)

    def create() -> Event:
        event = Event(agency=agency, created_by=user, updated_by=user, **fields)
        event.full_clean()
        event.save()
        return event

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def event_update(*, user, event: Event, expected_version: int, fields: dict[str, Any]) -> Event:
    if not event_can_write(user, event):
        raise ValidationError(_("この催しは編集できません。"))
    fields = {name: fields.get(name) for name in EVENT_FIELDS if name in fields}
    _check(fields)
    candidate = Event(pk=event.pk, agency=event.agency, **fields)
    candidate.full_clean(exclude=["created_by", "updated_by"], validate_unique=False)
    return save_versioned(obj=event, expected_version=expected_version, user=user, fields=fields)
