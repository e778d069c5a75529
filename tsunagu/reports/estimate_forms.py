"""The form of the secretariat's estimate parameters (issue 13 item 3)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import LineField, SubmissionKeyMixin, VersionMixin, cleaned


class EstimateForm(forms.Form):
    """One age group's estimate: the ward's population of that age and the national rate."""

    label = LineField(label=_("区分の名称"), max_length=40, help_text=_("例：15〜39歳"))
    age_low = forms.IntegerField(label=_("年齢の下限"), min_value=0, max_value=120)
    age_high = forms.IntegerField(
        label=_("年齢の上限"), min_value=0, max_value=120, required=False, help_text=_("空欄は上限なし")
    )
    population = forms.IntegerField(label=_("区の人口（この年齢）"), min_value=0, max_value=10_000_000)
    rate_percent = forms.DecimalField(
        label=_("出現率（％）"), min_value=Decimal("0"), max_value=Decimal("100"), max_digits=5, decimal_places=2
    )
    note = LineField(label=_("出典・備考"), max_length=200, required=False)

    def clean(self):
        data = cleaned(super().clean())
        low, high = data.get("age_low"), data.get("age_high")
        if low is not None and high is not None and high < low:
            self.add_error("age_high", _("年齢の上限は下限以上にしてください。"))
        return data


class EstimateCreateForm(SubmissionKeyMixin, EstimateForm):
    pass


class EstimateEditForm(VersionMixin, EstimateForm):
    pass
