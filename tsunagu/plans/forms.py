from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.core.forms import JapaneseDateField, LineField, SubmissionKeyMixin, TextField, VersionMixin, no_emoji
from tsunagu.people.models import Person
from tsunagu.plans.models import GoalStatus, GoalTarget

GOAL_ROWS = 4
GOAL_FORM_FIELDS = ("target", "person", "text", "action", "owner", "due_on", "status")


class PlanForm(forms.Form):
    review_on = JapaneseDateField(label=_("見直し予定日"))

    def __init__(self, *args, household=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = household.members.order_by("pk") if household is not None else Person.objects.none()
        agencies = Agency.objects.filter(active=True)
        for n in range(GOAL_ROWS):
            self.fields[f"g{n}_target"] = forms.ChoiceField(
                label=_("対象"), choices=[("", "—"), *GoalTarget.choices], required=False
            )
            self.fields[f"g{n}_person"] = forms.ModelChoiceField(label=_("対象の人"), queryset=members, required=False)
            self.fields[f"g{n}_person"].label_from_instance = lambda person: person.display_name
            self.fields[f"g{n}_text"] = LineField(
                label=_("目標"), max_length=300, required=False, validators=[no_emoji]
            )
            self.fields[f"g{n}_action"] = LineField(
                label=_("具体的な支援"), max_length=300, required=False, validators=[no_emoji]
            )
            self.fields[f"g{n}_owner"] = forms.ModelChoiceField(label=_("担当機関"), queryset=agencies, required=False)
            self.fields[f"g{n}_due_on"] = JapaneseDateField(label=_("期日"), required=False)
            self.fields[f"g{n}_status"] = forms.ChoiceField(
                label=_("目標の状態"), choices=GoalStatus.choices, initial=GoalStatus.OPEN, required=False
            )

    def clean(self):
        data = super().clean()
        for n in range(GOAL_ROWS):
            filled = any(data.get(f"g{n}_{name}") for name in ("target", "text", "action", "owner", "due_on"))
            if not filled:
                continue
            if not data.get(f"g{n}_target"):
                self.add_error(f"g{n}_target", _("目標の対象を選んでください。"))
            if not data.get(f"g{n}_text"):
                self.add_error(f"g{n}_text", _("目標を書いてください。"))
            if data.get(f"g{n}_target") == GoalTarget.PERSON and not data.get(f"g{n}_person"):
                self.add_error(f"g{n}_person", _("本人の目標には、対象の人を選んでください。"))
        return data

    def goals(self) -> list[dict]:
        rows = []
        for n in range(GOAL_ROWS):
            if not self.cleaned_data.get(f"g{n}_text"):
                continue
            rows.append({name: self.cleaned_data.get(f"g{n}_{name}") for name in GOAL_FORM_FIELDS})
        return rows

    def rows(self):
        return [[self[f"g{n}_{name}"] for name in GOAL_FORM_FIELDS] for n in range(GOAL_ROWS)]


class PlanCreateForm(SubmissionKeyMixin, PlanForm):
    pass


class PlanEditForm(VersionMixin, PlanForm):
    pass


class DecisionForm(VersionMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("承認する")), ("return", _("差し戻す"))], widget=forms.RadioSelect, label=_("判断")
    )
    comment = TextField(label=_("コメント"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
