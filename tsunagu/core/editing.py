"""The shape every edit page shares: show the record, save with its version, answer a conflict
(R2) or bad input (R4) on the page, never lose what the user typed."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu.core.conflict import render_conflict
from tsunagu.core.services import ConflictError


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def versioned_edit(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    template: str,
    context: dict[str, Any],
    initial: dict[str, Any],
    save: Callable[[dict[str, Any]], Any],
    done: str,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows ``initial`` (with the record's version); POST calls ``save(cleaned_data)``."""
    form_kwargs = form_kwargs or {}
    if request.method != "POST":
        return render(request, template, {**context, "form": form_class(initial=initial, **form_kwargs)})
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ConflictError as exc:
            return render_conflict(
                request, template, form=form, current=exc.current, context=context, form_kwargs=form_kwargs
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(done)
    return render(request, template, {**context, "form": form}, status=400)
