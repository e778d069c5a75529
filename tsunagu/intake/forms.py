import datetime as dt
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import SharingBasis
from tsunagu.core.forms import (
    FilterForm,
    LineField,
    NameField,
    PhoneField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
    cleaned,
    no_emoji,
)
from tsunagu.intake.models import (
    Channel,
    Concern,
    Consultation,
    ContactPreference,
    ContactType,
    FamilyRelation,
    Screening,
)
from tsunagu.intake.routing import Suggestion, suggest, triage_facts
from tsunagu.intake.services import TriageDecision, contact_as_member
from tsunagu.people.forms import HouseholdForm, PersonForm
from tsunagu.people.models import Household, Person
from tsunagu.people.services import HouseholdData, PersonData


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
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("未来の日時は入力できません。"))
        return value

    def clean(self):
        data = cleaned(super().clean())
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
        data = cleaned(super().clean())
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


class TriageFormSet:
    """The triage page's three forms as one: the decision (``TriageForm``), a new household
    (``hh-``) and a new person (``p-``), the latter two read only when the desk chose "new".

    ``picked_person`` / ``picked_household``: what the desk found with the search on the page
    (already fetched through the access door by the view).
    """

    def __init__(
        self,
        data: QueryDict | None,
        *,
        consultation: Consultation,
        picked_person: Person | None = None,
        picked_household: Household | None = None,
    ):
        self.consultation = consultation
        self.picked_person = picked_person
        self.picked_household = picked_household
        self.data = data
        if data is None:
            self.form = TriageForm(
                initial={
                    "version": consultation.version,
                    "household_mode": "existing" if picked_household else "none",
                    "household_id": picked_household.pk if picked_household else None,
                    "person_mode": "existing" if picked_person else "none",
                    "person_id": picked_person.pk if picked_person else None,
                }
            )
            self.hh_form = TriageHouseholdForm()
            relation = "son" if consultation.contact_type == ContactType.FAMILY else "unknown"
            self.p_form = TriagePersonForm(initial={"relation": relation})
        else:
            self.form = TriageForm(data)
            self.hh_form = TriageHouseholdForm(data)
            self.p_form = TriagePersonForm(data)

    @cached_property
    def _validity(self) -> tuple[bool, bool, bool]:
        # Fields that are valid on their own are in cleaned_data even when the whole form is not,
        # so suggestions can be shown before the desk has chosen a lead.
        valid = self.form.is_valid()
        hh_valid = self.hh_form.is_valid() if self._mode("household_mode") == "new" else True
        p_valid = self.p_form.is_valid() if self._mode("person_mode") == "new" else True
        return valid, hh_valid, p_valid

    def _mode(self, name: str) -> str | None:
        self.form.is_valid()  # cleans the form once
        mode: str | None = self.form.cleaned_data.get(name)
        return mode

    def is_valid(self) -> bool:
        return self.data is not None and all(self._validity)

    @property
    def household_data(self) -> dict[str, Any] | None:
        """A new household's data, when the desk registers one and it is valid."""
        _valid, hh_valid, _p_valid = self._validity
        return self.hh_form.cleaned_data if self._mode("household_mode") == "new" and hh_valid else None

    @property
    def person_data(self) -> dict[str, Any] | None:
        """A new person's data, when the desk registers one and it is valid."""
        _valid, _hh_valid, p_valid = self._validity
        return self.p_form.cleaned_data if self._mode("person_mode") == "new" and p_valid else None

    @property
    def household(self) -> Household | None:
        """The household chosen: the one found, or the found person's."""
        if "existing" in (self._mode("household_mode"), self._mode("person_mode")):
            return self.picked_household
        return None

    @property
    def person(self) -> Person | None:
        return self.picked_person if self._mode("person_mode") == "existing" else None

    @property
    def contact_decade(self) -> int | None:
        cleaned = self.form.cleaned_data
        return cleaned.get("contact_decade") if cleaned.get("add_contact") else None

    def suggestions(self) -> list[Suggestion]:
        """The routing suggestions for what is known so far (on a first visit, only once the desk
        has picked a household or a person)."""
        today = timezone.localdate()
        if self.data is None:
            if not (self.picked_household or self.picked_person):
                return []
            facts = triage_facts(
                self.consultation, today=today, household=self.picked_household, person=self.picked_person
            )
        else:
            facts = triage_facts(
                self.consultation,
                today=today,
                household=self.household,
                household_data=self.household_data,
                person=self.person,
                person_data=self.person_data,
                contact_decade=self.contact_decade,
            )
        return suggest(facts)

    def with_suggestions(self, suggestions: list[Suggestion]) -> TriageForm:
        """The decision form with the suggestions preselected where the desk has not chosen yet,
        without "required" errors: nothing was submitted for saving yet."""
        assert self.data is not None
        data = self.data.copy()
        leads = [s for s in suggestions if s.role == "lead"]
        if not data.get("lead") and leads:
            data["lead"] = str(leads[0].agency.pk)
        if not data.getlist("partners"):
            data.setlist("partners", [str(s.agency.pk) for s in suggestions if s.role == "partner"])
        shown = TriageForm(data)
        shown.full_clean()
        shown.errors.clear()
        return shown

    @property
    def version(self) -> int:
        version: int = self.form.cleaned_data["version"]
        return version

    def decision(self) -> TriageDecision:
        """The desk's decision, from valid forms."""
        data = self.form.cleaned_data
        return TriageDecision(
            screening=data["screening"],
            note=data["note"],
            household=self.household,
            household_data=HouseholdData.from_cleaned(self.household_data) if self.household_data else None,
            person=self.person,
            person_data=PersonData.from_cleaned(self.person_data) if self.person_data else None,
            contact_as_member=(
                contact_as_member(self.consultation, decade=data["contact_decade"]) if data["add_contact"] else None
            ),
            lead=data["lead"],
            partners=tuple(data["partners"]),
            sharing_basis=data["sharing_basis"],
            confirmed_not_duplicate=data["not_duplicate"],
        )

    def context(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "hh_form": self.hh_form,
            "p_form": self.p_form,
            "picked_person": self.picked_person,
            "picked_household": self.picked_household,
        }


class QueueFilterForm(FilterForm):
    """The desk queue's filters (a plain GET form)."""

    show = forms.ChoiceField(
        label=_("振り分け"),
        required=False,
        choices=[("open", _("未振り分け")), ("triaged", _("振り分け済み")), ("all", _("すべて"))],
    )
    channel = forms.ChoiceField(label=_("相談の方法"), required=False, choices=[("", _("すべて")), *Channel.choices])
    district: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地区"), queryset=None, required=False, empty_label=_("すべて"), to_field_name="code"
    )
    late = forms.BooleanField(label=_("24時間以上振り分けを待っている相談だけ"), required=False)

    def __init__(self, data: Any, *, districts: Any) -> None:
        super().__init__(data)
        choose_from(self.fields["district"], districts)
