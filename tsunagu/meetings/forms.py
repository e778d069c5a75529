from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.forms import AgencyMultipleChoiceField
from tsunagu.cases.forms import CaseNumberMixin
from tsunagu.cases.models import Case
from tsunagu.core.forms import (
    JapaneseDateField,
    LineField,
    LongSelect,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
)
from tsunagu.core.templatetags.tsunagu import person_name_of as staff_display_name
from tsunagu.meetings.models import MeetingKind


class _MeetingFields(forms.Form):
    title = LineField(label=_("件名"), max_length=200)
    held_on = JapaneseDateField(label=_("開催日"))
    held_time = forms.TimeField(label=_("開始時刻"), initial="14:00", widget=forms.TimeInput(attrs={"type": "time"}))
    place = LineField(label=_("場所"), max_length=200, required=False)
    agencies = AgencyMultipleChoiceField(label=_("出席機関"), required=False)
    other_attendees = LineField(
        label=_("その他の出席者"), max_length=300, required=False, help_text=_("例：民生委員、本人の母親")
    )


class MeetingForm(SubmissionKeyMixin, _MeetingFields):
    kind = forms.ChoiceField(label=_("会議の種類"), choices=[("", "—"), *MeetingKind.choices])
    organiser: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("主催機関"), queryset=None)

    field_order = ["kind", "title", "held_on", "held_time", "place", "organiser", "agencies", "other_attendees"]

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["organiser"], organisers)
        if organisers is not None and organisers.count() == 1:
            self.fields["organiser"].initial = organisers.first().pk


class MeetingEditForm(VersionMixin, _MeetingFields):
    kind = forms.ChoiceField(
        label=_("会議の種類"),
        choices=MeetingKind.choices,
        help_text=_("種類を変えると情報共有の根拠も変わります。同意が前提の会議では、出席機関ごとの同意を確かめます。"),
    )
    # The current meeting's values for the conflict page (core/conflict.py).
    conflict_sources = {
        "held_on": lambda meeting: timezone.localtime(meeting.held_at).date(),
        "held_time": lambda meeting: timezone.localtime(meeting.held_at).time(),
    }
    attendees: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        label=_("出席した職員"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = TextField(label=_("議事録"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 14}))

    field_order = ["kind", "title", "held_on", "held_time", "place", "agencies", "attendees", "other_attendees"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["attendees"], staff, lambda user: staff_display_name(user))


class CaseAddForm(CaseNumberMixin, forms.Form):
    pass


class DecisionForm(SubmissionKeyMixin, forms.Form):
    text = LineField(label=_("決定事項"), max_length=500)
    case: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("ケース（任意）"), queryset=None, required=False, widget=LongSelect
    )
    owner: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("担当者（対応が必要なとき）"), queryset=None, required=False, widget=LongSelect
    )
    due_on = JapaneseDateField(label=_("期日"), required=False)

    def __init__(self, *args, meeting=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["case"], Case.objects.filter(meetings__meeting=meeting).order_by("pk"))
        choose_from(self.fields["owner"], staff, lambda user: staff_display_name(user))


class DoneForm(VersionMixin, forms.Form):
    pass
