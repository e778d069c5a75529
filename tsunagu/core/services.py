"""Write helpers every app uses: optimistic locking and idempotent creation."""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.core.models import BaseModel, IdempotencyKey
from tsunagu.core.types import User

M = TypeVar("M", bound=models.Model)
B = TypeVar("B", bound=BaseModel)


class ConflictError(Exception):
    """Somebody else saved the record since the user opened it (docs/quality.md R2)."""

    def __init__(self, current: models.Model):
        super().__init__("conflict")
        self.current = current


def save_versioned(*, obj: B, expected_version: int, user: User, fields: dict[str, Any]) -> B:
    """Write ``fields`` to ``obj`` only if nobody changed it since ``expected_version``.

    One conditional UPDATE decides, so two concurrent saves with the same version give exactly one
    success and one :class:`ConflictError` on both databases.
    """
    model = type(obj)
    with transaction.atomic():
        updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
            **fields, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
        if updated != 1:
            raise ConflictError(model._default_manager.get(pk=obj.pk))
    obj.refresh_from_db()
    return obj


def create_once(*, key: uuid.UUID | None, user: User | None, create: Callable[[], M]) -> tuple[M, bool]:
    """Run ``create`` once per form submission key; return (record, created).

    A double click or a resubmission after the back button carries the same key and gets the
    record the first submission made (docs/quality.md R3).
    """
    if key is None:
        return create(), True
    existing = IdempotencyKey.objects.filter(key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                obj = create()
                IdempotencyKey.objects.create(
                    key=key,
                    user=user if getattr(user, "is_authenticated", False) else None,
                    object_type=obj._meta.label_lower,
                    object_id=obj.pk,
                )
                return obj, True
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(key=key).first()
            if existing is None:
                raise
    model = _model_for(existing.object_type)
    return model._default_manager.get(pk=existing.object_id), False


def created_for_key(key: uuid.UUID | None) -> Any:
    """The record an earlier submission with this key made, or None (for checks that must not
    run twice, such as the duplicate warning)."""
    if key is None:
        return None
    existing = IdempotencyKey.objects.filter(key=key).first()
    if existing is None:
        return None
    return _model_for(existing.object_type)._default_manager.filter(pk=existing.object_id).first()


def _model_for(label: str) -> type[Any]:
    from django.apps import apps

    return apps.get_model(label)
