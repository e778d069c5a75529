from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import (
    LineField,
    NameField,
    PhoneField,
    SubmissionKeyMixin,
    TextField,
    cleaned,
    no_emoji,
)
from tsunagu.intake.models import Concern, ContactPreference, ContactType, FamilyRelation

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
