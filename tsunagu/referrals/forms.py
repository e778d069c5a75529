from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.forms import _BasisFields
from tsunagu.core.forms import (
    FilterForm,
    JapaneseDateField,
    LineField,
    SubmissionKeyMixin,
    TextField,
    VersionMixin,
    choose_from,
)
from tsunagu.referrals.models import DeclineReason, ReferralStatus


class ReferralForm(SubmissionKeyMixin, _BasisFields):
    """Send a referral. ``agency`` (from _BasisFields) is the receiving agency."""

    from_agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("依頼元（自分の機関）"), queryset=None)
    person: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("つなぐ人"), queryset=None, required=False, empty_label=_("（世帯として）")
    )
    reason = LineField(label=_("つなぐ理由"), max_length=300)
    summary = TextField(
        label=_("依頼先に伝える概要"),
        max_length=2000,
        help_text=_("依頼先が回答するまでに見られるのはこの概要だけです。必要なことだけを書いてください。"),
    )
    accompanied = forms.BooleanField(label=_("同行してつなぐ（同行支援）"), required=False)

    field_order = [
        "from_agency",
        "agency",
        "person",
        "reason",
        "summary",
        "accompanied",
        "basis",
        "basis_note",
        "consent",
    ]

    def __init__(self, *args, case=None, from_agencies=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["agency"].label = _("依頼先")
        on_team = case.team.filter(until__isnull=True).values("agency_id")
        choose_from(self.fields["agency"], Agency.objects.filter(active=True).exclude(pk__in=on_team))
        choose_from(self.fields["from_agency"], from_agencies)
        if from_agencies is not None and from_agencies.count() == 1:
            self.fields["from_agency"].initial = from_agencies.first().pk
        choose_from(self.fields["person"], case.household.members.order_by("pk"), lambda p: p.display_name)


class AnswerForm(VersionMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("回答"),
        choices=[("accept", _("受理する")), ("decline", _("辞退する"))],
        widget=forms.RadioSelect,
    )
    decline_reason = forms.ChoiceField(
        label=_("辞退の理由（辞退のとき）"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    comment = TextField(
        label=_("コメント（辞退のときは必須）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(SubmissionKeyMixin, forms.Form):
    text = TextField(label=_("内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FirstMetForm(VersionMixin, forms.Form):
    on = JapaneseDateField(label=_("初回面談日"), past_only=True)


class WithdrawForm(VersionMixin, forms.Form):
    reason = LineField(label=_("取り下げる理由"), max_length=500)


class InboxFilterForm(FilterForm):
    """The inbox's filters and order (a plain GET form)."""

    box = forms.ChoiceField(
        label=_("表示"),
        required=False,
        choices=[("", _("届いたものと依頼したもの")), ("received", _("届いたつなぎ")), ("sent", _("依頼したつなぎ"))],
    )
    status = forms.ChoiceField(label=_("状態"), required=False, choices=[("", _("すべて")), *ReferralStatus.choices])
    overdue = forms.BooleanField(label=_("回答期限を過ぎた依頼中のものだけ"), required=False)
    agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("相手の機関"), queryset=None, required=False, empty_label=_("すべて"), to_field_name="code"
    )
    sort = forms.ChoiceField(
        label=_("並び順"), required=False, choices=[("newest", _("依頼日の新しい順")), ("due", _("回答期限の近い順"))]
    )

    def __init__(self, data: Any, *, agencies: Any) -> None:
        super().__init__(data)
        choose_from(self.fields["agency"], agencies)
