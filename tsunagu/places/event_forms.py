"""The staff form of an event (issue 12)."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import District
from tsunagu.core.forms import (
    JapaneseDateField,
    LineField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
    cleaned,
)
from tsunagu.places.event_services import EVENT_FIELDS
from tsunagu.places.models import Audience, EventKind, Place

FIRST_YEAR, LAST_YEAR = 2000, 2100


class _EventFields(forms.Form):
    title = LineField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("種類"), choices=[("", "—"), *EventKind.choices])
    starts_on = JapaneseDateField(label=_("開催日"))
    starts_time = forms.TimeField(
        label=_("開始時刻"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("時刻は 14:00 のように入力してください。")},
    )
    ends_time = forms.TimeField(
        label=_("終了時刻"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("時刻は 16:00 のように入力してください。")},
    )
    venue = LineField(label=_("会場"), max_length=200, help_text=_("会場の名前と所在地。地図は載せません。"))
    district: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地区"), queryset=District.objects.select_related("area"), required=False
    )
    place: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("関係する居場所・家族会"), queryset=Place.objects.none(), required=False
    )
    audience = forms.ChoiceField(label=_("対象"), choices=Audience.choices, initial=Audience.BOTH)
    description = TextField(label=_("内容"), max_length=4000, required=False)
    how_to_apply = TextField(
        label=_("申し込み方法"),
        max_length=2000,
        required=False,
        help_text=_("例: 電話（03-0000-0000）で、平日9時〜17時に。申し込み不要のときは空のまま。"),
    )
    apply_by = JapaneseDateField(label=_("申し込みの締切"), required=False)
    capacity = forms.IntegerField(
        label=_("定員"),
        required=False,
        min_value=1,
        max_value=10000,
        error_messages={
            "invalid": _("定員は数字で入力してください。"),
            "min_value": _("定員は1から10000までの数字で入力してください。"),
            "max_value": _("定員は1から10000までの数字で入力してください。"),
        },
    )
    is_public = forms.BooleanField(
        label=_("区民向けページに載せる"),
        required=False,
        initial=True,
        help_text=_("載せた催しは区民向けの予定とカレンダー（.ics）に出ます。"),
    )

    # The current event's values for the conflict page (core/conflict.py).
    conflict_sources = {
        "starts_on": lambda event: timezone.localtime(event.starts_at).date(),
        "starts_time": lambda event: timezone.localtime(event.starts_at).time(),
        "ends_time": lambda event: timezone.localtime(event.ends_at).time() if event.ends_at else None,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["place"], Place.objects.filter(active=True).order_by("kind", "name", "pk"))
        choose_from(
            self.fields["district"], District.objects.select_related("area"), lambda d: f"{d.area.name}・{d.name}"
        )

    def clean(self):
        data = cleaned(super().clean())
        day, start, end = data.get("starts_on"), data.get("starts_time"), data.get("ends_time")
        if day and not (FIRST_YEAR <= day.year <= LAST_YEAR):
            self.add_error("starts_on", _("開催日は2000年から2100年までの日付で入力してください。"))
            day = None
        apply_by = data.get("apply_by")
        if apply_by and not (FIRST_YEAR <= apply_by.year <= LAST_YEAR):
            self.add_error("apply_by", _("申し込みの締切は2000年から2100年までの日付で入力してください。"))
        if day and start:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end)) if end else None
            if end and end <= start:
                self.add_error("ends_time", _("終了時刻は開始時刻より後にしてください。"))
        return data


def event_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The event's own fields from a valid form's cleaned data."""
    return {name: data[name] for name in EVENT_FIELDS}


class EventForm(SubmissionKeyMixin, _EventFields):
    agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("主催する機関"), queryset=None)

    field_order = ["agency", "title", "kind", "starts_on", "starts_time", "ends_time", "venue", "district"]

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["agency"], organisers)
        if organisers is not None and organisers.count() == 1:
            self.fields["agency"].initial = organisers.first().pk


class EventEditForm(VersionMixin, _EventFields):
    pass
