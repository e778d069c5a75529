"""Showing a lost-update conflict (R2): the record as it is now beside what the user typed."""

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _display(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value or ""))  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return "" if value is None else str(value)


def conflict_rows(form: forms.Form, current: models.Model) -> list[dict[str, str]]:
    rows = []
    for name, field in form.fields.items():
        if name in ("version", "submission_key") or not hasattr(current, name):
            continue
        try:
            current._meta.get_field(name)
        except Exception:  # noqa: S112 - a form field without a model field is not compared
            continue
        theirs = _display(current, name)
        yours = form.data.get(name, "")
        rows.append({"label": str(field.label), "theirs": theirs, "yours": str(yours)})
    return rows


def render_conflict(
    request: HttpRequest,
    template: str,
    *,
    form: forms.Form,
    current: Any,
    context: dict[str, Any],
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """Re-show the user's input, now based on the current version, with both versions listed.

    Saving again is then a deliberate choice to replace the other person's change.
    """
    data = form.data.copy()
    data["version"] = str(current.version)
    form = type(form)(data, **(form_kwargs or {}))
    form.is_valid()
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict_rows(form, current), "current": current},
        status=409,
    )
