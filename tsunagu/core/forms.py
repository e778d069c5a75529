"""Form fields shared by every form: 和暦 dates, names, kana, phones, keys for R2/R3."""

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable
from typing import Any

import jaconv
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tsunagu.lib import kana, wareki
from tsunagu.lib.text import HIDDEN_MESSAGE, code_points, hidden_characters

DATE_HELP = _("例：令和7年4月1日、R7.4.1、2025-04-01")


def wareki_error(exc: wareki.WarekiError) -> ValidationError:
    """The field error for a date ``lib/wareki.py`` could not read, in the user's language (lib marks
    its messages for the catalogue but has no Django, so the translation happens here)."""
    return ValidationError(gettext(exc.message).format(**exc.params), code="invalid")


def no_emoji(value: str) -> None:
    if value and kana.contains_emoji(value):
        raise ValidationError(_("絵文字などの記号は使えません。"), code="emoji")


# --- Invisible and direction-changing characters (display spoofing, issue 8 defect 11) ---------
# The policy is lib/text.py's (three strengths: names, one-line text, multi-line text).


def refuse_hidden(value: str, kind: str) -> None:
    """A field error naming the invisible or direction-changing characters of ``value``."""
    found = hidden_characters(value, kind=kind)
    if found:
        raise ValidationError(gettext(HIDDEN_MESSAGE), code="hidden_characters", params={"codes": code_points(found)})


def no_hidden_chars_in_name(value: str) -> None:
    refuse_hidden(value, "name")


def no_hidden_chars_in_line(value: str) -> None:
    refuse_hidden(value, "line")


def no_hidden_chars_in_text(value: str) -> None:
    refuse_hidden(value, "text")


# The former name of the multi-line rule.
no_control_chars = no_hidden_chars_in_text


class LongSelect(forms.Select):
    """A select of many options (a meeting's staff, its cases, the lists' filters): the options
    are written in one template loop instead of Django's two templates per option (184 options:
    about 12 ms of rendering down to 3 ms, docs/benchmarks.md). Rendered and escaped by the
    template engine like all markup (decision 0007), character for character what Django's
    Select writes (core/tests/test_filter_forms.py compares them on every filter form)."""

    template_name = "core/widgets/select.html"


class JapaneseDateField(forms.Field):
    """A date typed as 和暦 or 西暦; ``past_only`` refuses dates after today."""

    widget = forms.TextInput
    max_length = 30

    def __init__(self, *, past_only: bool = False, **kwargs):
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)
        self.past_only = past_only
        self.widget.attrs.update({"maxlength": str(self.max_length), "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return wareki.format_wareki(value)
        return value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value)
        if len(text) > self.max_length:
            raise ValidationError(_("日付が長すぎます。"), code="max_length")
        try:
            day = wareki.parse_date(text)
        except wareki.WarekiError as exc:
            raise wareki_error(exc) from exc
        if self.past_only and day > timezone.localdate():
            raise ValidationError(_("未来の日付は入力できません。"), code="future")
        return day


class NameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.validators += [no_emoji, no_hidden_chars_in_name]

    def to_python(self, value):
        # Kept as typed (full-width brackets stay full-width); half-width katakana, which some
        # older systems still produce, is widened. Search keys are normalised separately.
        text = super().to_python(value)
        return jaconv.h2z(text, kana=True, ascii=False, digit=False).strip() if text else text


class KanaField(forms.CharField):
    """A reading in kana. Hiragana and half-width katakana are accepted and stored as katakana."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)
        self.validators += [no_emoji, no_hidden_chars_in_name]

    def clean(self, value):
        value = super().clean(value)
        if value and not kana.is_kana(value):
            raise ValidationError(_("フリガナはカタカナまたはひらがなで入力してください。"), code="kana")
        return kana.to_katakana(value) if value else value


_PHONE = re.compile(r"^[0-9\-() +]{6,20}$")


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        normalised = unicodedata.normalize("NFKC", value).replace("ー", "-").replace("−", "-").strip()
        if not _PHONE.match(normalised):
            raise ValidationError(_("電話番号は数字とハイフンで入力してください（例：03-1234-5678）。"), code="phone")
        return normalised


class TextField(forms.CharField):
    """Free text: control characters refused, emoji allowed (people write how they write)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        super().__init__(**kwargs)
        self.validators.append(no_hidden_chars_in_text)


class LineField(forms.CharField):
    """One line of free text (a title, a place, a short note): no hidden or direction characters."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(no_hidden_chars_in_line)


class SubmissionKeyMixin(forms.Form):
    """A hidden per-rendering key: the same submission twice creates one record (R3)."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


class VersionMixin(forms.Form):
    """The version the user started from; a stale one is answered with a conflict page (R2)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def choose_from(field: forms.Field, queryset: QuerySet[Any] | None, label: Callable[[Any], str] | None = None) -> None:
    """Set, once the form is built, which records a model choice field offers and how each is named."""
    assert isinstance(field, forms.ModelChoiceField), field
    field.queryset = queryset
    if label is not None:
        # Django documents replacing label_from_instance per field; django-stubs types it as a method.
        field.label_from_instance = label  # type: ignore[assignment]


def cleaned(data: dict[str, Any] | None) -> dict[str, Any]:
    """``Form.clean()``'s result as a form's own clean() uses it (Django's returns cleaned_data)."""
    assert data is not None
    return data


class FilterForm(forms.Form):
    """The filters of a list: a plain GET form whose values that do not validate are dropped (the
    list shows without that filter), never an error page. Its selects are ``LongSelect``s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = LongSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                field.widget.is_required = field.required

    def valid(self) -> dict[str, Any]:
        """The cleaned value of every field that validated; the others are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
