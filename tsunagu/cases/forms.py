from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import CaseStatus, ClosureReason
from tsunagu.core.forms import JapaneseDateField, VersionMixin
from tsunagu.people.models import SupportStage


class StatusForm(VersionMixin, forms.Form):
    status = forms.ChoiceField(label=_("新しい状態"), choices=CaseStatus.choices, widget=forms.RadioSelect)
    closure_reason = forms.ChoiceField(
        label=_("終結の理由（終結のとき）"), choices=[("", "—"), *ClosureReason.choices], required=False
    )
    follow_up_on = JapaneseDateField(label=_("フォローアップ予定日（任意）"), required=False)


class StageForm(VersionMixin, forms.Form):
    stage = forms.TypedChoiceField(
        label=_("支援段階"), choices=SupportStage.choices, coerce=int, widget=forms.RadioSelect
    )


class LeadWorkerForm(VersionMixin, forms.Form):
    worker = forms.ModelChoiceField(label=_("主担当者"), queryset=None, required=False, empty_label=_("（なし）"))

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
