from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency, Area
from tsunagu.core.forms import (
    FilterForm,
    JapaneseDateField,
    LineField,
    LongSelect,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
    cleaned,
)
from tsunagu.core.templatetags.tsunagu import person_name_of as staff_display_name
from tsunagu.people.models import Sex
from tsunagu.places.models import (
    AgeBand,
    AttendeeRole,
    Audience,
    Joining,
    Outcome,
    PlaceKind,
    SessionKind,
)
from tsunagu.places.services import MAX_COUNT

FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the events' days (event_forms.py)
TIME = forms.TimeInput(attrs={"type": "time"})


class PlaceFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("種類"), choices=[("", _("すべて")), *PlaceKind.choices], required=False)
    area: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地域"), queryset=Area.objects.order_by("order"), required=False, empty_label=_("すべて")
    )
    agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("運営する機関"),
        queryset=Agency.objects.filter(places__isnull=False).distinct().order_by("code"),
        required=False,
        empty_label=_("すべて"),
    )


class _PlaceFields(forms.Form):
    name = LineField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("種類"), choices=PlaceKind.choices)
    organiser = LineField(
        label=_("運営する団体"),
        max_length=100,
        required=False,
        help_text=_("機関以外の団体（家族会など）が運営するとき"),
    )
    description = TextField(label=_("内容"), max_length=4000, required=False)
    audience = forms.ChoiceField(label=_("対象"), choices=Audience.choices)
    age_min = forms.IntegerField(label=_("対象年齢（下限）"), min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(label=_("対象年齢（上限）"), min_value=0, max_value=120, required=False)
    area: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地域"), queryset=Area.objects.order_by("order"), required=False
    )
    address = LineField(label=_("所在地"), max_length=200, required=False)
    schedule = LineField(
        label=_("開催日時（定例）"), max_length=200, required=False, help_text=_("例: 毎週水曜 13:00〜16:00")
    )
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=9999, required=False)
    joining = forms.ChoiceField(label=_("参加のしかた"), choices=Joining.choices)
    accessibility = TextField(label=_("バリアフリー・配慮"), max_length=2000, required=False)
    contact = LineField(label=_("問い合わせ先"), max_length=200, required=False)
    is_public = forms.BooleanField(label=_("区民向けページに載せる"), required=False)
    active = forms.BooleanField(label=_("開催中"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("上限は下限以上にしてください。"))
        return data


class PlaceForm(SubmissionKeyMixin, _PlaceFields):
    agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("運営する機関"), queryset=None)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["agency"], agencies)
        if agencies is not None and agencies.count() == 1:
            self.fields["agency"].initial = agencies.first().pk


class PlaceEditForm(VersionMixin, _PlaceFields):
    pass


def year_in_range(form: forms.Form, name: str, message: Any) -> None:
    """A field message when the day of ``name`` is outside FIRST_YEAR..LAST_YEAR."""
    day = form.cleaned_data.get(name)
    if day and not (FIRST_YEAR <= day.year <= LAST_YEAR):
        form.add_error(name, message)


class _SessionFields(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=SessionKind.choices)
    held_on = JapaneseDateField(label=_("開催日"))
    starts_at = forms.TimeField(label=_("開始時刻"), required=False, widget=TIME)
    ends_at = forms.TimeField(label=_("終了時刻"), required=False, widget=TIME)
    staff: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        label=_("担当した職員"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = TextField(
        label=_("メモ"), max_length=4000, required=False, help_text=_("個人が分かることは書かないでください。")
    )

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["staff"], staff, lambda user: staff_display_name(user))

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        # A session's day becomes the day of its named attendance's progress records.
        year_in_range(self, "held_on", _("開催日は2000年から2100年までの日付で入力してください。"))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("終了時刻は開始時刻より後にしてください。"))
        return data


class SessionForm(SubmissionKeyMixin, _SessionFields):
    pass


class SessionEditForm(VersionMixin, _SessionFields):
    pass


COUNT_SEXES = (Sex.MALE, Sex.FEMALE, Sex.OTHER, Sex.UNKNOWN)


def count_field_name(role: str, band: str, sex: str) -> str:
    return f"n_{role}_{band}_{sex}".replace("+", "plus")


class CountsForm(forms.Form):
    """The anonymous head count grid: role × age band × sex → number (empty is 0)."""

    def __init__(self, *args: Any, roles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = list(roles or AttendeeRole)
        self.cells: dict[str, tuple[str, str, str]] = {}
        for role in self.roles:
            for band in AgeBand:
                for sex in COUNT_SEXES:
                    name = count_field_name(role, band, sex)
                    self.cells[name] = (str(role), str(band), str(sex))
                    label = f"{role.label} {band.label} {sex.label}"
                    self.fields[name] = forms.IntegerField(
                        label=label,
                        min_value=0,
                        max_value=MAX_COUNT,
                        required=False,
                        widget=forms.NumberInput(
                            attrs={"class": "count", "min": "0", "max": str(MAX_COUNT), "aria-label": label}
                        ),
                        error_messages={
                            "invalid": _("人数は数字で入力してください。"),
                            "min_value": _("人数は0以上にしてください。"),
                            "max_value": _("人数が大きすぎます。"),
                        },
                    )

    def counts(self) -> dict[tuple[str, str, str], int]:
        return {cell: self.cleaned_data.get(name) or 0 for name, cell in self.cells.items()}

    def grid(self) -> list[dict[str, Any]]:
        """Rows for the template: per role, per age band, the bound fields by sex."""
        return [
            {
                "role": role.label,
                "bands": [
                    {"label": band.label, "fields": [self[count_field_name(role, band, sex)] for sex in COUNT_SEXES]}
                    for band in AgeBand
                ],
            }
            for role in self.roles
        ]


class NeedsForm(forms.Form):
    """A family association's need counts: one number per option of the family needs sheet."""

    def __init__(self, *args: Any, options: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names: dict[str, str] = {}
        for i, (value, label) in enumerate(options):
            name = f"need_{i}"
            self.names[name] = value
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=MAX_COUNT,
                required=False,
                error_messages={"invalid": _("人数は数字で入力してください。")},
            )

    def needs(self) -> dict[str, int]:
        return {value: self.cleaned_data.get(name) or 0 for name, value in self.names.items()}


class PersonSearchForm(forms.Form):
    q = LineField(label=_("名前（漢字・カナ）"), max_length=60, required=False)


class NamedAddForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    role = forms.ChoiceField(label=_("参加者"), choices=AttendeeRole.choices, initial=AttendeeRole.PERSON)


class EnrolmentForm(SubmissionKeyMixin, forms.Form):
    person: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("参加する人"), queryset=None)
    place: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("プログラム・居場所"), queryset=None, widget=LongSelect
    )
    starts_on = JapaneseDateField(label=_("開始日"))
    note = TextField(label=_("メモ"), max_length=2000, required=False)

    def __init__(self, *args: Any, persons: Any = None, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["person"], persons, lambda p: f"{p.family_name} {p.given_name}")
        choose_from(self.fields["place"], places, lambda p: f"{p.name}（{p.get_kind_display()}）")

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        year_in_range(self, "starts_on", _("開始日は2000年から2100年までの日付で入力してください。"))
        return data


class EnrolmentEndForm(VersionMixin, forms.Form):
    ends_on = JapaneseDateField(label=_("終了日"))
    outcome = forms.ChoiceField(label=_("結果"), choices=[("", "—"), *Outcome.choices])
    note = TextField(label=_("メモ"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        year_in_range(self, "ends_on", _("終了日は2000年から2100年までの日付で入力してください。"))
        return data
