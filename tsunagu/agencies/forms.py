"""Choosing agencies on a form: checkboxes grouped by the kind of agency, in a scrollable box,
so staff on a tablet tick them one by one (a multi-select list needs Ctrl-click)."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator

from tsunagu.agencies.models import Agency, AgencyKind

_KIND_ORDER = {kind: index for index, kind in enumerate(AgencyKind.values)}


class AgencyCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "agencies/widgets/agency_checkboxes.html"


class _GroupedByKind(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        groups: dict[str, list[Any]] = {}
        agencies = sorted(self.queryset, key=lambda a: (_KIND_ORDER.get(a.kind, len(_KIND_ORDER)), a.code))
        for agency in agencies:
            groups.setdefault(str(agency.get_kind_display()), []).append(self.choice(agency))
        yield from groups.items()


class _CheckboxesBoundField(BoundField):
    @property
    def widget_type(self) -> str:
        # Rendered like any group of checkboxes: a fieldset whose legend is the field's label.
        return "checkboxselectmultiple"


class AgencyMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Active agencies as grouped checkboxes; validation still goes through the queryset."""

    iterator = _GroupedByKind
    widget = AgencyCheckboxes
    bound_field_class = _CheckboxesBoundField

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset=Agency.objects.filter(active=True) if queryset is None else queryset, **kwargs)
