from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from tsunagu.records.models import Method


class RecordForm(forms.Form):
    occurred_on = JapaneseDateField(label=_("日付"), past_only=True)
    method = forms.ChoiceField(label=_("方法"), choices=Method.choices, widget=forms.RadioSelect)
    persons = forms.ModelMultipleChoiceField(
        label=_("対象の人"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reached = forms.TypedChoiceField(
        label=_("本人・家族と会えた／話せた"),
        choices=[("yes", _("会えた・話せた")), ("no", _("会えなかった・応答なし"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    summary = TextField(label=_("内容"), max_length=4000)
    next_action = LineField(label=_("次の対応"), required=False, max_length=300, validators=[no_emoji])
    next_action_on = JapaneseDateField(label=_("次の対応の予定日"), required=False)

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = household.members.order_by("pk") if household is not None else Person.objects.none()
        choose_from(self.fields["persons"], members, lambda person: person.display_name)
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            concerned = [p.pk for p in members if p.is_concerned]
            self.initial.setdefault("persons", concerned)

    def clean(self):
        data = cleaned(super().clean())
        occurred, next_on = data.get("occurred_on"), data.get("next_action_on")
        if occurred and next_on and next_on < occurred:
            self.add_error("next_action_on", _("記録の日付より前の日は選べません。"))
        return data


class RecordCreateForm(SubmissionKeyMixin, RecordForm):
    pass


class RecordCorrectForm(VersionMixin, RecordForm):
    reason = LineField(label=_("訂正の理由"), max_length=300, validators=[no_emoji])
