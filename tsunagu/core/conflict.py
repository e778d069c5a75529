"""Showing a lost-update conflict (R2): the record as it is now beside what the user typed.

Both sides are shown as the form shows them (choice labels, the display names of related records,
和暦 dates, はい/いいえ, several choices joined with 「、」), and a row is marked as different only
when the *values* differ, compared after normalising both sides through the same form field.

Which value of the current record a form field edits: the model field of the same name, or what the
form's ``conflict_sources`` says (a dict of form field name → attribute name, or a callable taking
the record), for fields named differently from the model (``stage`` → ``support_stage``) or
computed from it (a meeting's date and time from ``held_at``). A form may also name its rows with
``conflict_label(name)``. Rows empty on both sides are left out.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.lib import wareki

SKIPPED = ("version", "submission_key")
F = TypeVar("F", bound=forms.Form)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | set) and not value)


def _choice_label(field: forms.Field, value: Any) -> str:
    """The label of the choice ``value`` is (a typed choice matches by its coerced value)."""
    coerce = field.coerce if isinstance(field, forms.TypedChoiceField) else None

    def matches(key: Any) -> bool:
        if str(key) == str(value):
            return True
        if coerce is None or key in ("", None):
            return False
        try:
            return bool(coerce(key) == value)
        except (TypeError, ValueError):
            return False

    for key, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # an option group
            for sub_key, sub_label in label:
                if matches(sub_key):
                    return str(sub_label)
        elif matches(key):
            return str(label)
    return str(value)


def _related(field: forms.ModelChoiceField, value: Any) -> Any:
    """A related record for a value that may be the record or its primary key."""
    if isinstance(value, models.Model):
        return value
    queryset = field.queryset if field.queryset is not None else None
    if queryset is None:
        return None
    return queryset.model._default_manager.filter(pk=value).first()


def display(field: forms.Field, value: Any) -> str:
    """``value`` as the form field shows it to a person."""
    if _is_empty(value):
        return ""
    if isinstance(field, forms.BooleanField):
        return _("はい") if value else _("いいえ")
    if isinstance(field, forms.ModelMultipleChoiceField) or isinstance(value, list | tuple | set):
        return "、".join(display(_one_of(field), item) for item in value)
    if isinstance(field, forms.ModelChoiceField):
        obj = _related(field, value)
        return "" if obj is None else str(field.label_from_instance(obj))
    if isinstance(value, models.Model):
        return str(value)
    if getattr(field, "choices", None):
        return _choice_label(field, value)
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, wareki.ApproxDate):
        return wareki.format_approx(value)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{wareki.format_wareki(local.date())} {local:%H:%M}"
    if isinstance(value, dt.date):
        return wareki.format_wareki(value)
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return str(field.prepare_value(value)).strip()  # e.g. a stored ISO date shown as the field shows it


def _one_of(field: forms.Field) -> forms.Field:
    """The single-value field a multiple-choice field's items are shown with."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        single = forms.ModelChoiceField(queryset=field.queryset)
        single.label_from_instance = field.label_from_instance  # type: ignore[method-assign]
        return single
    return field


def normalised(value: Any) -> Any:
    """A comparable form of a value from either side: records by primary key, lists as sorted
    tuples, dates by their ISO text, text without the difference between \\r\\n and \\n."""
    if _is_empty(value):
        return ""
    if isinstance(value, models.Model):
        return ("pk", value.pk)
    if isinstance(value, list | tuple | set):
        return tuple(sorted((normalised(item) for item in value), key=repr))
    if isinstance(value, wareki.ApproxDate):
        return value.isoformat()
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(second=0, microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return str(Decimal(str(value)).normalize())
    return str(value).replace("\r\n", "\n").strip()


def _as_model_pk(field: forms.Field, value: Any) -> Any:
    """Primary keys of related records, so that a record and its key compare equal."""
    if isinstance(field, forms.ModelMultipleChoiceField) and isinstance(value, Iterable) and not isinstance(value, str):
        return [("pk", item.pk if isinstance(item, models.Model) else int(item)) for item in value]
    if isinstance(field, forms.ModelChoiceField) and not _is_empty(value):
        return ("pk", value.pk if isinstance(value, models.Model) else int(value))
    return normalised(value)


def _current_value(form: forms.Form, name: str, current: models.Model) -> tuple[bool, Any]:
    """(found, value): the current record's value for form field ``name``."""
    sources = getattr(form, "conflict_sources", {}) or {}
    source = sources.get(name, name)
    if callable(source):
        return True, source(current)
    if source == name:
        try:
            model_field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return False, None  # a form field without a model field (a confirmation box…)
        if model_field.many_to_many or model_field.one_to_many:
            return True, list(getattr(current, name).all())
    value = getattr(current, source, None)
    if isinstance(value, models.Manager):
        value = list(value.all())
    return True, value


def _yours(form: forms.Form, name: str, field: forms.Field) -> tuple[Any, bool]:
    """(value, cleaned): what the user sent, cleaned by the form when it is valid there."""
    cleaned = getattr(form, "cleaned_data", {})
    if name in cleaned:
        return cleaned[name], True
    data = form.data
    if hasattr(data, "getlist") and isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return data.getlist(form.add_prefix(name)), False
    return data.get(form.add_prefix(name), ""), False


def conflict_rows(form: forms.Form, current: models.Model) -> list[dict[str, Any]]:
    rows = []
    for name, field in form.fields.items():
        if name in SKIPPED or isinstance(field.widget, forms.HiddenInput):
            continue
        found, theirs = _current_value(form, name, current)
        if not found:
            continue
        yours, cleaned = _yours(form, name, field)
        if cleaned:
            changed = _as_model_pk(field, theirs) != _as_model_pk(field, yours)
            yours_shown = display(field, yours)
        else:  # not valid as typed: shown as typed, and certainly not what is saved now
            changed = True
            yours_shown = "、".join(map(str, yours)) if isinstance(yours, list) else str(yours)
        theirs_shown = display(field, theirs)
        if not theirs_shown and not yours_shown and not changed:
            continue  # empty on both sides: nothing to compare
        label = form.conflict_label(name) if hasattr(form, "conflict_label") else str(field.label)
        rows.append({"label": label, "theirs": theirs_shown, "yours": yours_shown, "changed": changed})
    return rows


def rebased(form: F, current: Any, form_kwargs: dict[str, Any] | None = None) -> F:
    """The user's input again, now based on the current version (saving it again is then a
    deliberate choice to replace the other person's change)."""
    data = cast(QueryDict, form.data).copy()  # a QueryDict from a request (a dict in some tests)
    data[form.add_prefix("version")] = str(current.version)
    rebased_form = type(form)(data, **(form_kwargs or {}))
    rebased_form.is_valid()
    return rebased_form


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
    form = rebased(form, current, form_kwargs)
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict_rows(form, current), "current": current},
        status=409,
    )


@dataclass(frozen=True)
class Stale:
    """An action refused because somebody else changed the record first, for a page that carries
    several action forms (a plan's, a referral's or a meeting's page, the triage page): the
    conflict panel is shown once at the top of the page (``core/_conflict.html``), with the rows
    of the refused form beside the record as it is now, and the page answers 409 like every
    edit page does."""

    rows: list[dict[str, Any]]
    current: Any


def stale(form: forms.Form | None, current: Any) -> Stale:
    """The conflict panel for ``form`` (None for a bare button carrying only the version)."""
    return Stale(rows=conflict_rows(form, current) if form is not None else [], current=current)
