import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.forms import AgencyMultipleChoiceField
from tsunagu.agencies.models import Agency, District
from tsunagu.cases import selectors
from tsunagu.cases.models import CaseStatus, ClosureReason, Consent, ConsentMethod, SharingBasis
from tsunagu.core.forms import (
    FilterForm,
    JapaneseDateField,
    LineField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
)
from tsunagu.core.templatetags.tsunagu import person_name_of as staff_display_name
from tsunagu.people.models import SupportStage


class StatusForm(VersionMixin, forms.Form):
    status = forms.ChoiceField(label=_("新しい状態"), choices=CaseStatus.choices, widget=forms.RadioSelect)
    closure_reason = forms.ChoiceField(
        label=_("終結の理由（終結のとき）"), choices=[("", "—"), *ClosureReason.choices], required=False
    )
    follow_up_on = JapaneseDateField(label=_("フォローアップ予定日（任意）"), required=False)


class StageForm(VersionMixin, forms.Form):
    conflict_sources = {"stage": "support_stage"}  # the person's field (core/conflict.py)
    stage = forms.TypedChoiceField(
        label=_("支援段階"), choices=SupportStage.choices, coerce=int, widget=forms.RadioSelect
    )


class LeadWorkerForm(VersionMixin, forms.Form):
    conflict_sources = {"worker": "lead_worker"}  # the case's field (core/conflict.py)
    worker: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("主担当者"), queryset=None, required=False, empty_label=_("（なし）")
    )

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["worker"], workers, lambda user: staff_display_name(user))


class CaseNumberMixin(forms.Form):
    """A case typed by its number ("K-000123", "123"), for forms that find a case by number."""

    case_number = forms.RegexField(
        label=_("ケース番号"),
        regex=r"^\s*[Kk]?-?\s*0*(\d{1,9})\s*$",
        max_length=20,
        error_messages={"invalid": _("ケース番号は「K-000123」のように入力してください。")},
    )

    def case_pk(self) -> int:
        match = re.search(r"(\d+)", self.cleaned_data["case_number"])
        return int(match.group(1)) if match else 0


class EmergencyForm(CaseNumberMixin, forms.Form):
    reason = TextField(
        label=_("理由（具体的に）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例：本人の母親から、本人が自傷をほのめかしているとの電話。担当機関に連絡がつかないため。"),
    )


class EmergencyReviewForm(forms.Form):
    note = LineField(label=_("確認のメモ"), max_length=500, required=False)


class _BasisFields(forms.Form):
    agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("機関"), queryset=None)
    basis = forms.ChoiceField(label=_("情報共有の根拠"), choices=[("", "—"), *SharingBasis.choices])
    basis_note = LineField(label=_("根拠の補足（その他の法令のときは法令名）"), max_length=200, required=False)
    consent: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("同意（根拠が同意のとき）"), queryset=None, required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["agency"], Agency.objects.filter(active=True))
        choose_from(
            self.fields["consent"],
            Consent.objects.filter(person__household_id=case.household_id, withdrawn_on__isnull=True).select_related(
                "person"
            ),
            lambda c: f"{c.person.display_name}（{c.given_on}・{c.purpose}）",
        )


class TeamAddForm(_BasisFields):
    pass


class HandoffForm(_BasisFields):
    note = TextField(label=_("受け取る機関へのメモ"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(SubmissionKeyMixin, forms.Form):
    person: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("本人"), queryset=None)
    agencies = AgencyMultipleChoiceField(label=_("共有してよい機関"))
    purpose = LineField(label=_("目的"), max_length=300)
    method = forms.ChoiceField(label=_("同意の方法"), choices=ConsentMethod.choices, widget=forms.RadioSelect)
    given_on = JapaneseDateField(label=_("同意日"), past_only=True)
    expires_on = JapaneseDateField(label=_("有効期限（任意）"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self.fields["person"], case.household.members.order_by("pk"), lambda p: p.display_name)


OPEN_STATUSES = "open"
ALL_STATUSES = "all"


class CaseListForm(FilterForm):
    """The case list's filters and order (a plain GET form)."""

    status = forms.ChoiceField(
        label=_("状態"),
        required=False,
        choices=[(OPEN_STATUSES, _("終結以外")), *CaseStatus.choices, (ALL_STATUSES, _("すべて"))],
    )
    stage = forms.TypedChoiceField(
        label=_("支援段階"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("すべて")), *SupportStage.choices],
    )
    worker: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("主担当者"), queryset=None, required=False, empty_label=_("すべて")
    )
    district: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("地区"), queryset=None, required=False, empty_label=_("すべて"), to_field_name="code"
    )
    overdue = forms.BooleanField(label=_("次の対応の予定日を過ぎたケースだけ"), required=False)
    sort = forms.ChoiceField(label=_("並び順"), required=False)

    def __init__(self, data: Any, *, workers: Any, districts: Any, sorts: list[tuple[str, Any]]) -> None:
        super().__init__(data)
        choose_from(self.fields["worker"], workers, lambda user: staff_display_name(user))
        choose_from(self.fields["district"], districts)
        sort_field = self.fields["sort"]
        assert isinstance(sort_field, forms.ChoiceField)
        sort_field.choices = sorts


def case_list_form(params: Any, *, user: Any) -> tuple["CaseListForm", selectors.CaseFilters]:
    """The case list's form bound to ``params`` (a GET query) and the filters it gives: the list
    page and its exports (reports.list_exports) read the same query the same way."""
    form = CaseListForm(
        params,
        workers=selectors.case_list_workers(user),
        districts=District.objects.select_related("area"),
        sorts=[(name, ordering.label) for name, ordering in selectors.CASE_SORTS.items()],
    )
    chosen = form.valid()
    filters = selectors.CaseFilters(
        status=chosen.get("status") or OPEN_STATUSES,
        stage=chosen.get("stage"),
        worker_id=chosen["worker"].pk if chosen.get("worker") else None,
        district_id=chosen["district"].pk if chosen.get("district") else None,
        overdue=bool(chosen.get("overdue")),
        sort=chosen.get("sort") or selectors.CASE_SORT_DEFAULT,
    )
    return form, filters
