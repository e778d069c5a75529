"""The report's choices: which fiscal year or which days, and which part of the network."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.core.forms import JapaneseDateField, LongSelect
from tsunagu.lib import wareki
from tsunagu.reports.period import Period, fiscal_year_of

FIRST_FISCAL_YEAR = 2015
LONGEST_DAYS = 366 * 3 + 1  # three years: the monthly tables and charts stay readable


def fiscal_year_choices(today: dt.date) -> list[tuple[str, str]]:
    choices = []
    for year in range(fiscal_year_of(today), FIRST_FISCAL_YEAR - 1, -1):
        period = Period.fiscal_year(year)
        choices.append((str(year), _("{label}（{year}年度）").format(label=period.label, year=year)))
    return choices


class ReportForm(forms.Form):
    """A plain GET form. Without a choice the report shows this fiscal year for the ward (or the
    user's agency); a choice that does not validate is shown with its error beside the field and
    the report falls back to that default."""

    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, required=False, widget=LongSelect)
    start = JapaneseDateField(label=gettext_lazy("期間の初日"), required=False)
    end = JapaneseDateField(label=gettext_lazy("期間の末日"), required=False)
    scope = forms.ChoiceField(label=gettext_lazy("範囲"), required=False, widget=LongSelect)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = fiscal_year_choices(today)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = scopes
        self.fields["start"].help_text = _(
            "日付で期間を決めるときに入力します（例：令和8年4月1日）。年度より優先します。"
        )
        self.fields["end"].help_text = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.has_error("start") and not self.has_error("end"):
            self.add_error("end" if end is None else "start", _("期間の初日と末日の両方を入力してください。"))
        elif start and end:
            if start > timezone.localdate():
                # Nothing to count yet (and a year like 9999 would overflow the period's end instant).
                self.add_error("start", _("まだ始まっていない期間は集計できません。"))
            elif end < start:
                self.add_error("end", _("末日が初日より前になっています。"))
            elif (end - start).days >= LONGEST_DAYS:
                self.add_error("end", _("期間は3年以内にしてください。"))
        return data

    def period(self) -> Period:
        """The chosen period; the fiscal year holding today when nothing valid was chosen."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        if data.get("year"):
            return Period.fiscal_year(data["year"])
        return Period.fiscal_year_of(timezone.localdate())


def period_text(period: Period) -> str:
    return f"{period.label}（{period.start:%Y-%m-%d}〜{period.end:%Y-%m-%d}）"


def day_text(day: dt.date) -> str:
    return wareki.format_wareki(day)
