import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
from tsunagu.training.models import CourseKind

MAX_CASES = 20
# The days these forms take: a day before 1873 cannot be written in 和暦 and made the pages that
# show it (the session, the course, the supervisee's work page) fail; as the events' days.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_range(day: Any, message: Any) -> Any:
    if day is not None and not (FIRST_YEAR <= day.year <= LAST_YEAR):
        raise ValidationError(message, code="range")
    return day


_CASE_NUMBER = re.compile(r"^[Kk]?-?0*(\d{1,9})$")


class _CourseFields(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=[("", "—"), *CourseKind.choices])
    title = LineField(label=_("研修名"), max_length=200)
    organiser: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("主催機関"), queryset=None)
    held_on = JapaneseDateField(label=_("開催日"))
    hours = forms.DecimalField(
        label=_("時間数"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=100,
        help_text=_("0.5時間単位（例：1.5）"),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
        error_messages={
            "invalid": _("時間数は数字で入力してください（例：1.5）。"),
            "min_value": _("時間数は0.5時間から100時間までで入力してください。"),
            "max_value": _("時間数は0.5時間から100時間までで入力してください。"),
            "max_digits": _("時間数は0.5時間から100時間までで入力してください。"),
            "max_whole_digits": _("時間数は0.5時間から100時間までで入力してください。"),
            "max_decimal_places": _("時間数は0.5時間単位で入力してください。"),
        },
    )
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=9999, required=False)
    description = TextField(label=_("内容"), max_length=4000, required=False)

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["organiser"], organisers)
        if organisers is not None and not self.is_bound and organisers.count() == 1:
            self.fields["organiser"].initial = organisers.first().pk

    def clean_held_on(self):
        return _in_range(self.cleaned_data["held_on"], _("開催日は2000年から2100年までの日付で入力してください。"))

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and (hours * 2) % 1:
            raise ValidationError(_("時間数は0.5時間単位で入力してください。"), code="step")
        return hours


class CourseForm(SubmissionKeyMixin, _CourseFields):
    pass


class CourseEditForm(VersionMixin, _CourseFields):
    pass


class AttendanceForm(forms.Form):
    attendee: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("職員"), queryset=None, widget=LongSelect)
    completed = forms.TypedChoiceField(
        label=_("受講の状況"),
        choices=[("1", _("修了")), ("0", _("出席（修了せず）"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["attendee"], staff, lambda user: staff_display_name(user))


class CaseNumbersField(forms.CharField):
    """Case numbers typed one or more, separated by spaces, commas or 、 ("K-000123, 45"); the
    shape only: which of them the user may pick is the service's to decide."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 400)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        tokens = [t for t in re.split(r"[\s,、，]+", text) if t]
        numbers: list[int] = []
        for token in tokens:
            match = _CASE_NUMBER.match(token)
            if match is None:
                raise ValidationError(_("ケース番号は「K-000123」のように、区切りは「、」か空白で入力してください。"))
            number = int(match.group(1))
            if number not in numbers:
                numbers.append(number)
        if len(numbers) > MAX_CASES:
            raise ValidationError(_("一度に検討できるケースは%(n)d件までです。") % {"n": MAX_CASES})
        return numbers


class _SessionFields(forms.Form):
    held_on = JapaneseDateField(label=_("実施日"), past_only=True)
    supervisees: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        label=_("スーパーバイジー"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    cases = CaseNumbersField(
        label=_("検討したケース（ケース番号）"),
        required=False,
        help_text=_("例：K-000123、K-000456。あなたが見ることのできるケースだけを選べます。"),
    )
    notes = TextField(label=_("記録"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, supervisees=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["supervisees"], supervisees, lambda user: staff_display_name(user))
        self.fields["supervisees"].error_messages["required"] = _("スーパーバイジーを一人以上選んでください。")

    def clean_held_on(self):
        return _in_range(self.cleaned_data["held_on"], _("実施日は2000年から2100年までの日付で入力してください。"))


class SessionForm(SubmissionKeyMixin, _SessionFields):
    pass


class SessionEditForm(VersionMixin, _SessionFields):
    conflict_sources = {
        "cases": lambda session: "、".join(c.number for c in session.cases.order_by("pk")),
    }


class FollowUpForm(SubmissionKeyMixin, forms.Form):
    assignee: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("担当者"), queryset=None)
    text = LineField(label=_("フォローアップ"), max_length=500)
    due_on = JapaneseDateField(label=_("期日"), required=False)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["assignee"], assignees, lambda user: staff_display_name(user))

    def clean_due_on(self):
        return _in_range(self.cleaned_data["due_on"], _("期日は2000年から2100年までの日付で入力してください。"))


class DoneForm(VersionMixin, forms.Form):
    pass
