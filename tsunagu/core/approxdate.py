"""A form field for approximate dates: 「平成18年ごろ」, 「2006年4月」 or a whole date (issue 8 #18).

Kept apart from ``core/forms.py`` so it can be used by any form; the parsing is ``lib/wareki.py``'s.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import wareki_error
from tsunagu.lib import wareki

APPROX_DATE_HELP = _("例：平成18年ごろ、2006年4月、令和元年5月1日（分かる範囲で。年だけ・年と月だけでも構いません）")


class ApproxDateField(forms.Field):
    """A year, a year and month, or a day, typed as 和暦 or 西暦; cleans to ``wareki.ApproxDate``."""

    widget = forms.TextInput
    max_length = 30

    def __init__(self, *, past_only: bool = False, **kwargs):
        kwargs.setdefault("help_text", APPROX_DATE_HELP)
        super().__init__(**kwargs)
        self.past_only = past_only
        self.widget.attrs.update({"maxlength": str(self.max_length), "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, wareki.ApproxDate):
            return wareki.format_approx(value)
        if isinstance(value, dt.date):
            return wareki.format_wareki(value)
        if isinstance(value, str):
            try:  # a stored answer (2006, 2006-04, 2006-04-01) is shown as the field shows dates
                return wareki.format_approx(wareki.ApproxDate.fromisoformat(value))
            except ValueError:
                return value
        return value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, wareki.ApproxDate):
            return value
        if isinstance(value, dt.date):
            return wareki.ApproxDate(value, wareki.DAY)
        text = str(value)
        if len(text) > self.max_length:
            raise ValidationError(_("日付が長すぎます。"), code="max_length")
        try:
            approx = wareki.parse_approx(text)
        except wareki.WarekiError as exc:
            raise wareki_error(exc) from exc
        if self.past_only and approx.day > timezone.localdate():
            raise ValidationError(_("未来の時期は入力できません。"), code="future")
        return approx
