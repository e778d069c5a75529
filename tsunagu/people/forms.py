from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import District
from tsunagu.core.approxdate import ApproxDateField
from tsunagu.core.forms import (
    JapaneseDateField,
    KanaField,
    LineField,
    NameField,
    PhoneField,
    SubmissionKeyMixin,
    VersionMixin,
    cleaned,
    no_emoji,
)
from tsunagu.people.models import DECADE_CHOICES, Disability, GoingOut, Relation, Sex


class HouseholdForm(forms.Form):
    label = NameField(label=_("世帯の呼び名"), required=False, max_length=60, help_text=_("例：池尻の山田さん宅"))
    postal_code = forms.CharField(label=_("郵便番号"), required=False, max_length=8, help_text=_("例：154-0001"))
    address = LineField(label=_("住所"), required=False, max_length=200, validators=[no_emoji])
    district = forms.ModelChoiceField(
        label=_("地区"),
        queryset=District.objects.select_related("area"),
        required=False,
        help_text=_("空欄なら郵便番号から補います"),
    )
    phone = PhoneField(label=_("電話番号"), required=False)
    sig_elderly_parent = forms.BooleanField(label=_("高齢の親がいる"), required=False)
    sig_adult_child_home = forms.BooleanField(label=_("日中、働いていない成人の子が在宅"), required=False)
    sig_parent_pension = forms.BooleanField(label=_("親の年金で生活"), required=False)
    sig_care_need = forms.BooleanField(label=_("親に介護・入院の必要"), required=False)
    sig_arrears = forms.BooleanField(label=_("家賃・公共料金・税の滞納"), required=False)
    sig_refuses_services = forms.BooleanField(label=_("サービス・訪問の拒否"), required=False)

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"]
        if not value:
            return ""
        import unicodedata

        digits = unicodedata.normalize("NFKC", value).replace("-", "").replace("ー", "").strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) == 7):
            raise ValidationError(_("郵便番号は7桁の数字で入力してください（例：154-0001）。"))
        return f"{digits[:3]}-{digits[3:]}"


class HouseholdCreateForm(SubmissionKeyMixin, HouseholdForm):
    pass


class HouseholdEditForm(VersionMixin, HouseholdForm):
    pass


class PersonForm(forms.Form):
    # The onset is shown on the conflict page as it was given (平成18年ごろ), see core/conflict.py.
    conflict_sources = {"withdrawal_since": "withdrawal_since_approx"}

    family_name = NameField(label=_("姓"), required=False)
    given_name = NameField(label=_("名"), required=False)
    family_name_kana = KanaField(label=_("セイ"), required=False)
    given_name_kana = KanaField(label=_("メイ"), required=False)
    label = NameField(
        label=_("呼び名（氏名が分からないとき）"),
        required=False,
        max_length=60,
        help_text=_("例：相談者の長男（50代）"),
    )
    sex = forms.ChoiceField(label=_("性別"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = JapaneseDateField(label=_("生年月日"), required=False, past_only=True)
    approx_decade = forms.TypedChoiceField(
        label=_("おおよその年代（生年月日が分からないとき）"),
        choices=[("", "—"), *DECADE_CHOICES],
        required=False,
        coerce=int,
        empty_value=None,
    )
    relation = forms.ChoiceField(label=_("世帯での続柄"), choices=Relation.choices, initial=Relation.UNKNOWN)
    is_concerned = forms.BooleanField(label=_("支援の対象者（ひきこもり状態にある本人）"), required=False)
    disability = forms.ChoiceField(label=_("障害"), choices=Disability.choices, initial=Disability.UNKNOWN)
    withdrawal_since = ApproxDateField(
        label=_("ひきこもり状態になった時期（分かれば）"), required=False, past_only=True
    )
    going_out = forms.TypedChoiceField(
        label=_("外出の状況"), choices=[("", "—"), *GoingOut.choices], required=False, coerce=int, empty_value=None
    )
    phone = PhoneField(label=_("電話番号"), required=False)

    def clean(self):
        data = cleaned(super().clean())
        birth, since = data.get("birth_date"), data.get("withdrawal_since")
        if birth and since and since.last_day() < birth:
            self.add_error("withdrawal_since", _("生年月日より前の時期は入力できません。"))
        return data


class PersonCreateForm(SubmissionKeyMixin, PersonForm):
    not_duplicate = forms.BooleanField(
        label=_("似た人がいることを確認したうえで、別の人として登録する"), required=False
    )


class PersonEditForm(VersionMixin, PersonForm):
    pass


class PersonSearchForm(forms.Form):
    q = LineField(
        label=_("氏名・フリガナ"),
        required=False,
        max_length=60,
        help_text=_("姓・名・フルネームの一部（漢字・かな）"),
        validators=[no_emoji],
    )
    birth_date = JapaneseDateField(label=_("生年月日"), required=False)
    decade = forms.TypedChoiceField(
        label=_("年代"), choices=[("", "—"), *DECADE_CHOICES], required=False, coerce=int, empty_value=None
    )
    district = forms.ModelChoiceField(label=_("地区"), queryset=District.objects.all(), required=False)
