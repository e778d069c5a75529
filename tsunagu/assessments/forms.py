"""A form built from an instrument's definition: one field per item, each with 「不明」."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.assessments.definition import UNKNOWN, items_of
from tsunagu.assessments.models import AssessmentStatus
from tsunagu.core.approxdate import ApproxDateField
from tsunagu.core.forms import JapaneseDateField, SubmissionKeyMixin, TextField, VersionMixin, cleaned

UNKNOWN_CHOICE = (UNKNOWN, _("不明"))


def _field(item: dict[str, Any]) -> forms.Field:
    label = item["text"]
    kind = item["type"]
    if kind == "single":
        choices = [(str(o["value"]), o["label"]) for o in item["options"]] + [UNKNOWN_CHOICE]
        return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)
    if kind == "scale":
        choices = [(str(n), str(n)) for n in range(item["min"], item["max"] + 1)] + [UNKNOWN_CHOICE]
        return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)
    if kind == "multiple":
        choices = [(str(o["value"]), o["label"]) for o in item["options"]]
        return forms.MultipleChoiceField(
            label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
        )
    if kind == "number":
        return forms.DecimalField(label=label, required=False, max_digits=12, decimal_places=2)
    if kind == "date":
        # Answers such as ひきこもり状態になった時期 are often known to the year only (issue 8 #18):
        # kept as ISO 8601 at their precision (2006, 2006-04, 2006-04-01).
        return ApproxDateField(label=label, required=False, past_only=True)
    return TextField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def _current_answer(item: dict[str, Any], *, known: bool) -> Any:
    """A reader of one stored answer: the answer itself (``known``), or whether it is 「不明」 for
    items whose 「不明」 is a separate box."""

    def read(assessment: Any) -> Any:
        value = (assessment.answers or {}).get(item["id"])
        if _has_own_unknown(item):
            return value if known else None
        if known:
            return None if value == UNKNOWN else value
        return value == UNKNOWN

    return read


def _has_own_unknown(item: dict[str, Any]) -> bool:
    return item["type"] in ("single", "scale")


class AssessmentForm(forms.Form):
    assessed_on = JapaneseDateField(label=_("実施日"), past_only=True)
    status = forms.ChoiceField(choices=AssessmentStatus.choices, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, definition: dict[str, Any], answers: dict[str, Any] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.items = items_of(definition)
        self.conflict_sources = {}  # each answer of the current assessment, for core/conflict.py
        for item in self.items:
            self.conflict_sources[f"q_{item['id']}"] = _current_answer(item, known=True)
            self.conflict_sources[f"u_{item['id']}"] = _current_answer(item, known=False)
        for item in self.items:
            name = f"q_{item['id']}"
            self.fields[name] = _field(item)
            if not _has_own_unknown(item):
                self.fields[f"u_{item['id']}"] = forms.BooleanField(label=_("不明"), required=False)
            if answers and not self.is_bound:
                value = answers.get(item["id"])
                if value == UNKNOWN:
                    if _has_own_unknown(item):
                        self.initial[name] = UNKNOWN
                    else:
                        self.initial[f"u_{item['id']}"] = True
                elif value not in (None, ""):
                    self.initial[name] = [str(v) for v in value] if isinstance(value, list) else value

    def clean(self):
        data = cleaned(super().clean())
        if self.data.get("status") not in AssessmentStatus.values:
            data["status"] = AssessmentStatus.DRAFT
        for item in self.items:
            value = data.get(f"q_{item['id']}")
            if data.get(f"u_{item['id']}") and value not in (None, "", []):
                self.add_error(f"q_{item['id']}", _("回答と「不明」の両方は選べません。"))
        return data

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for item in self.items:
            value = self.cleaned_data.get(f"q_{item['id']}")
            if self.cleaned_data.get(f"u_{item['id']}"):
                result[item["id"]] = UNKNOWN
            elif value in (None, "", []):
                continue
            elif hasattr(value, "isoformat"):
                result[item["id"]] = value.isoformat()
            elif item["type"] == "number":
                result[item["id"]] = float(value)
            else:
                result[item["id"]] = value
        return result

    def sections(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField | None]]]]:
        rows = []
        for section in self.definition["sections"]:
            fields = []
            for item in section["items"]:
                unknown = f"u_{item['id']}"
                fields.append((self[f"q_{item['id']}"], self[unknown] if unknown in self.fields else None))
            rows.append((section["title"], fields))
        return rows

    def add_service_errors(self, exc: ValidationError) -> None:
        for item_id, errors in getattr(exc, "error_dict", {}).items():
            field = f"q_{item_id}"
            self.add_error(field if field in self.fields else None, errors)
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)


class AssessmentCreateForm(SubmissionKeyMixin, AssessmentForm):
    pass


class AssessmentEditForm(VersionMixin, AssessmentForm):
    pass
