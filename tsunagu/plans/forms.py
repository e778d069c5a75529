import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.core.forms import (
    JapaneseDateField,
    LineField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
    cleaned,
    no_emoji,
)
from tsunagu.people.models import Person
from tsunagu.plans.models import GoalStatus, GoalTarget
from tsunagu.plans.services import GoalData

GOAL_FORM_FIELDS = ("target", "person", "text", "action", "owner", "due_on", "status")
MIN_GOAL_ROWS = 3  # rows a new plan shows; 目標を追加 adds one more each time
MAX_GOAL_ROWS = 40  # a bound on what one request may make the server build, not a rule of the domain
ADD_GOAL = "add_goal"
_ROW_KEY = re.compile(r"^g(\d{1,3})_")


def goal_rows_in(data) -> int:
    """How many goal rows a submitted (or initial) set of values carries: one past the highest."""
    highest = -1
    for key in data or ():
        match = _ROW_KEY.match(key)
        if match:
            highest = max(highest, int(match[1]))
    return highest + 1


def goals_from(data: dict) -> tuple[GoalData, ...]:
    """The goal rows of cleaned form data that have a text, in order (blank rows are not saved)."""
    return tuple(
        GoalData.from_cleaned({name: data.get(f"g{n}_{name}") for name in GOAL_FORM_FIELDS})
        for n in range(goal_rows_in(data))
        if data.get(f"g{n}_text")
    )


def _goal_reader(n: int, name: str):
    """Goal ``n``'s ``name`` in the current plan, for the conflict page (core/conflict.py)."""

    def read(plan):
        goals = list(plan.goals.all())
        return getattr(goals[n], name) if n < len(goals) else None

    return read


class PlanForm(forms.Form):
    review_on = JapaneseDateField(label=_("見直し予定日"))

    def __init__(self, *args, household=None, case=None, rows: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members = household.members.order_by("pk") if household is not None else Person.objects.none()
        agencies = Agency.objects.filter(active=True)
        if rows is None:
            # Bound: exactly the rows sent; unbound: the plan's goals and a blank row to write in.
            rows = goal_rows_in(self.data) if self.is_bound else goal_rows_in(self.initial) + 1
        self.goal_rows = min(max(rows, 1 if self.is_bound else MIN_GOAL_ROWS), MAX_GOAL_ROWS)
        self.may_add_goal = self.goal_rows < MAX_GOAL_ROWS
        for n in range(self.goal_rows):
            self.fields[f"g{n}_target"] = forms.ChoiceField(
                label=_("対象"), choices=[("", "—"), *GoalTarget.choices], required=False
            )
            self.fields[f"g{n}_person"] = forms.ModelChoiceField(label=_("対象の人"), queryset=members, required=False)
            choose_from(self.fields[f"g{n}_person"], members, lambda person: person.display_name)
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

        self.conflict_sources = {
            f"g{n}_{name}": _goal_reader(n, name) for n in range(self.goal_rows) for name in GOAL_FORM_FIELDS
        }

    def conflict_label(self, name: str) -> str:
        """「目標2：期日」 on the conflict page, where the rows are not under their goal's heading."""
        match = _ROW_KEY.match(name)
        label = str(self.fields[name].label)
        return f"{_('目標')}{int(match[1]) + 1}：{label}" if match else label

    def clean(self):
        data = cleaned(super().clean())
        if self.is_bound and goal_rows_in(self.data) > MAX_GOAL_ROWS:
            raise ValidationError(
                _("一つの計画に書ける目標は%(n)s件までです。") % {"n": MAX_GOAL_ROWS}, code="too_many_goals"
            )
        for n in range(self.goal_rows):
            filled = any(data.get(f"g{n}_{name}") for name in ("target", "text", "action", "owner", "due_on"))
            if not filled:
                data[f"g{n}_status"] = ""  # a blank row is no goal, whatever its status box says
                continue
            if not data.get(f"g{n}_target"):
                self.add_error(f"g{n}_target", _("目標の対象を選んでください。"))
            if not data.get(f"g{n}_text"):
                self.add_error(f"g{n}_text", _("目標を書いてください。"))
            if data.get(f"g{n}_target") == GoalTarget.PERSON and not data.get(f"g{n}_person"):
                self.add_error(f"g{n}_person", _("本人の目標には、対象の人を選んでください。"))
        return data

    def goals(self) -> tuple[GoalData, ...]:
        return goals_from(self.cleaned_data)

    def rows(self):
        return [[self[f"g{n}_{name}"] for name in GOAL_FORM_FIELDS] for n in range(self.goal_rows)]


class PlanCreateForm(SubmissionKeyMixin, PlanForm):
    pass


class PlanEditForm(VersionMixin, PlanForm):
    pass


class DecisionForm(VersionMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("承認する")), ("return", _("差し戻す"))], widget=forms.RadioSelect, label=_("判断")
    )
    comment = TextField(label=_("コメント"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
