"""Helpers for the form tests every app writes (docs/quality.md R2–R4)."""

from collections.abc import Callable

from django.db import models
from django.test import Client


def counts(*model_classes: type[models.Model]) -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in model_classes}


def assert_refused(
    client: Client,
    url: str,
    data: dict,
    *,
    field: str | None,
    message: str,
    unchanged: tuple[type[models.Model], ...],
    check: Callable[[], None] | None = None,
) -> None:
    """Bad input: a 4xx, the Japanese message on the field, and nothing written (R4)."""
    before = counts(*unchanged)
    response = client.post(url, data)
    assert 400 <= response.status_code < 500, response.status_code
    form = response.context["form"]
    errors = form.errors.get(field if field else "__all__", [])
    assert any(message in str(e) for e in errors), dict(form.errors)
    assert counts(*unchanged) == before
    if check:
        check()
