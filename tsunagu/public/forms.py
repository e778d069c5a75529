import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Area, District
from tsunagu.core.forms import (
    LineField,
    NameField,
    PhoneField,
    SubmissionKeyMixin,
    TextField,
    choose_from,
    cleaned,
    no_emoji,
)
from tsunagu.intake.models import Concern, ContactPreference, ContactType, FamilyRelation
from tsunagu.places.models import Audience, PlaceKind
from tsunagu.places.selectors import PlaceFilter

ABOUT_RE = re.compile(r"(place|event)-[0-9]{1,9}")


class AboutField(forms.Field):
    """Which public page the request form was opened from ("place-12", "event-3"). Not the
    visitor's input: anything else (hidden characters included) becomes "", never an error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = value.strip() if isinstance(value, str) else ""
        return text if ABOUT_RE.fullmatch(text) else ""


PUBLIC_CONTACT_TYPES = [
    (ContactType.SELF, _("本人です")),
    (ContactType.FAMILY, _("家族です")),
    (ContactType.OTHER, _("その他（知人・近所の方など）")),
]
PUBLIC_CONCERNS = [
    (Concern.WITHDRAWAL, _("ひきこもり・不登校のこと")),
    (Concern.FAMILY, _("家族との関係")),
    (Concern.ILLNESS, _("心や体の調子")),
    (Concern.INCOME, _("お金・生活費のこと")),
    (Concern.JOB_SEARCH, _("仕事のこと")),
    (Concern.CARE, _("親の介護のこと")),
    (Concern.OTHER, _("その他")),
]


class PublicRequestForm(SubmissionKeyMixin, forms.Form):
    contact_type = forms.ChoiceField(
        label=_("あなたはどなたですか"), choices=PUBLIC_CONTACT_TYPES, widget=forms.RadioSelect
    )
    contact_relation = forms.ChoiceField(
        label=_("ご家族の場合、ご本人との関係"), required=False, choices=[("", "—"), *FamilyRelation.choices]
    )
    concerns = forms.MultipleChoiceField(
        label=_("気になっていること（いくつでも）"),
        choices=PUBLIC_CONCERNS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary = TextField(
        label=_("ご相談したいこと"),
        max_length=2000,
        help_text=_("書ける範囲で大丈夫です。お名前は書かなくてもかまいません。"),
    )
    contact_preference = forms.ChoiceField(
        label=_("連絡について"),
        choices=[
            (ContactPreference.MAY_CONTACT, _("連絡がほしい")),
            (ContactPreference.NO_CONTACT, _("連絡は不要。情報だけほしい")),
        ],
        widget=forms.RadioSelect,
        initial=ContactPreference.MAY_CONTACT,
    )
    contact_name = NameField(label=_("お名前（ニックネームでも）"), required=False, max_length=60)
    contact_phone = PhoneField(label=_("電話番号"), required=False)
    contact_email = forms.EmailField(label=_("メールアドレス"), required=False, max_length=200)
    contact_note = LineField(label=_("連絡してよい時間帯など"), required=False, max_length=200, validators=[no_emoji])
    # Which public page (a place or an event) the form was opened from: "place-12", "event-3".
    # Shown on the form and written at the top of the request for the desk (public/about.py).
    about = AboutField()
    # Honeypot: hidden from people by CSS; a bot fills it in.
    website = forms.CharField(required=False, max_length=200, label=_("この欄は空のままにしてください"))

    def clean(self):
        data = cleaned(super().clean())
        if data.get("contact_preference") == ContactPreference.MAY_CONTACT and not (
            data.get("contact_phone") or data.get("contact_email")
        ):
            raise ValidationError(
                _(
                    "連絡を希望される場合は、電話番号かメールアドレスのどちらかを書いてください。"
                    "連絡が不要な場合は「連絡は不要」を選んでください。"
                )
            )
        return data


AGE_CHOICES_MAX = 120


class DirectoryFilterForm(forms.Form):
    """The public directory's search (a GET form): every field optional."""

    area: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地域"), queryset=Area.objects.all(), required=False, empty_label=_("すべての地域")
    )
    district: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地区"),
        queryset=District.objects.select_related("area"),
        required=False,
        empty_label=_("すべての地区"),
    )
    target = forms.ChoiceField(
        label=_("どなたが参加しますか"),
        required=False,
        choices=[("", _("どちらでも")), (Audience.PERSON, _("本人")), (Audience.FAMILY, _("家族"))],
    )
    age = forms.IntegerField(
        label=_("参加する人の年齢"),
        required=False,
        min_value=0,
        max_value=AGE_CHOICES_MAX,
        error_messages={
            "invalid": _("年齢は数字で入力してください（例: 35）。"),
            "min_value": _("年齢は0から120までの数字で入力してください。"),
            "max_value": _("年齢は0から120までの数字で入力してください。"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": AGE_CHOICES_MAX}),
        help_text=_("入力すると、その年齢の方が参加できるところだけを表示します。"),
    )
    kind = forms.ChoiceField(label=_("種類"), required=False, choices=[("", _("すべての種類")), *PlaceKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(
            self.fields["district"], District.objects.select_related("area"), lambda d: f"{d.area.name}・{d.name}"
        )

    def chosen(self) -> PlaceFilter:
        """The valid choices (a field the visitor got wrong filters nothing and shows its error)."""
        data = getattr(self, "cleaned_data", {})
        area = data.get("area")
        district = data.get("district")
        return PlaceFilter(
            area=area.pk if area else None,
            district=district.pk if district else None,
            target=data.get("target") or "",
            age=data.get("age"),
            kind=data.get("kind") or "",
        )
