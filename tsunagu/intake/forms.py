from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import SharingBasis
from tsunagu.core.forms import (
    LineField,
    NameField,
    PhoneField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    no_emoji,
)
from tsunagu.intake.models import Channel, Concern, ContactPreference, ContactType, FamilyRelation, Screening
from tsunagu.people.forms import HouseholdForm, PersonForm


class ConsultationForm(forms.Form):
    received_at = forms.DateTimeField(
        label=_("受付日時"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"],
    )
    channel = forms.ChoiceField(label=_("相談の方法"), choices=Channel.choices, widget=forms.RadioSelect)
    contact_type = forms.ChoiceField(label=_("相談者"), choices=ContactType.choices, widget=forms.RadioSelect)
    contact_relation = forms.ChoiceField(
        label=_("本人との関係（家族のとき）"), choices=[("", "—"), *FamilyRelation.choices], required=False
    )
    contact_agency = forms.ModelChoiceField(
        label=_("相談元の機関（関係機関のとき）"), queryset=Agency.objects.filter(active=True), required=False
    )
    contact_name = NameField(label=_("相談者の氏名"), required=False, max_length=60)
    contact_phone = PhoneField(label=_("電話番号"), required=False)
    contact_email = forms.EmailField(label=_("メールアドレス"), required=False, max_length=200)
    contact_note = LineField(
        label=_("連絡のしかた（時間帯など）"), required=False, max_length=200, validators=[no_emoji]
    )
    contact_preference = forms.ChoiceField(
        label=_("連絡の希望"),
        choices=ContactPreference.choices,
        initial=ContactPreference.MAY_CONTACT,
        widget=forms.RadioSelect,
    )
    concerns = forms.MultipleChoiceField(
        label=_("相談内容（あてはまるものすべて）"),
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    main_concern = forms.ChoiceField(label=_("主な相談内容"), choices=[("", "—"), *Concern.choices])
    summary = TextField(label=_("相談の概要"), max_length=4000)
    urgent = forms.BooleanField(label=_("緊急（生命・健康の危険がある）"), required=False)

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError(_("未来の日時は入力できません。"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("contact_type") == ContactType.FAMILY and not data.get("contact_relation"):
            self.add_error("contact_relation", _("家族からの相談では、本人との関係を選んでください。"))
        if data.get("contact_type") != ContactType.FAMILY:
            data["contact_relation"] = ""
        main, concerns = data.get("main_concern"), data.get("concerns") or []
        if main and concerns and main not in concerns:
            self.add_error("main_concern", _("主な相談内容は、チェックした項目から選んでください。"))
        return data


class ConsultationCreateForm(SubmissionKeyMixin, ConsultationForm):
    pass


class ConsultationEditForm(VersionMixin, ConsultationForm):
    pass


class TriageForm(VersionMixin, forms.Form):
    screening = forms.ChoiceField(label=_("スクリーニング結果"), choices=Screening.choices, widget=forms.RadioSelect)
    note = LineField(label=_("振り分けのメモ（紹介先など）"), required=False, max_length=400, validators=[no_emoji])
    household_mode = forms.ChoiceField(
        label=_("世帯"),
        widget=forms.RadioSelect,
        initial="none",
        choices=[("existing", _("選んだ世帯")), ("new", _("新しい世帯を登録")), ("none", _("まだ特定しない"))],
    )
    household_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person_mode = forms.ChoiceField(
        label=_("対象者"),
        widget=forms.RadioSelect,
        initial="none",
        choices=[("existing", _("選んだ人")), ("new", _("新しい人を登録")), ("none", _("まだ特定しない"))],
    )
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    add_contact = forms.BooleanField(label=_("相談者（家族）も世帯員として登録する"), required=False)
    contact_decade = forms.TypedChoiceField(
        label=_("相談者のおおよその年代"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "—"),
            *[(d, format_lazy(_("{decade}代"), decade=d)) for d in range(20, 80, 10)],
            (80, _("80代以上")),
        ],
    )
    not_duplicate = forms.BooleanField(label=_("似た人を確認したうえで、別の人として登録する"), required=False)
    lead = forms.ModelChoiceField(
        label=_("主担当機関"),
        queryset=Agency.objects.filter(active=True),
        required=False,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("協力機関"),
        queryset=Agency.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sharing_basis = forms.ChoiceField(
        label=_("情報共有の根拠"),
        choices=[("", "—"), *SharingBasis.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("household_mode") == "existing" and not (data.get("household_id") or data.get("person_id")):
            self.add_error("household_mode", _("世帯を検索して選んでください。"))
        if data.get("person_mode") == "existing" and not data.get("person_id"):
            self.add_error("person_mode", _("対象者を検索して選んでください。"))
        if data.get("person_mode") == "new" and data.get("household_mode") == "none":
            self.add_error("household_mode", _("新しい人を登録するときは、世帯も選ぶか登録してください。"))
        if data.get("screening") == Screening.CONTINUE:
            if data.get("household_mode") == "none" and data.get("person_mode") != "existing":
                self.add_error("household_mode", _("継続支援では、ケースを開く世帯を選ぶか登録してください。"))
            if not data.get("lead"):
                self.add_error("lead", _("主担当機関を選んでください。"))
            if not data.get("sharing_basis"):
                self.add_error("sharing_basis", _("担当機関と情報を共有する根拠を選んでください。"))
        return data


class TriageHouseholdForm(HouseholdForm):
    prefix = "hh"


class TriagePersonForm(PersonForm):
    prefix = "p"
