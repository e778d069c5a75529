"""Reading one cell of a ledger: the same rules as the forms (core/forms.py), for values that come
from Excel (text, numbers, dates) instead of a text box. Each reader returns the value to write or
raises :class:`CellError` with the Japanese message the dry run reports."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import jaconv
from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext as _

from tsunagu.lib import kana, wareki
from tsunagu.lib.text import HIDDEN_MESSAGE, code_points, hidden_characters


class CellError(ValueError):
    """A bad value; ``str()`` is the message in the user's language."""


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing .0 (a phone or postal code typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _no_hidden(value: str, kind: str) -> None:
    found = hidden_characters(value, kind=kind)
    if found:
        raise CellError(_(HIDDEN_MESSAGE) % {"codes": code_points(found)})
    if kind != "text" and kana.contains_emoji(value):
        raise CellError(_("絵文字などの記号は使えません。"))


def _max(value: str, length: int) -> str:
    if len(value) > length:
        raise CellError(
            _("%(length)d文字以内で入力してください（%(count)d文字あります）。")
            % {"length": length, "count": len(value)}
        )
    return value


def name(value: Any, *, length: int = 40) -> str:
    """As ``core.forms.NameField``: half-width katakana widened, no emoji, no hidden characters."""
    text = text_of(value)
    if not text:
        return ""
    _no_hidden(text, "name")
    return _max(jaconv.h2z(text, kana=True, ascii=False, digit=False).strip(), length)


def reading(value: Any) -> str:
    """As ``core.forms.KanaField``: hiragana or katakana, stored as full-width katakana."""
    text = text_of(value)
    if not text:
        return ""
    _no_hidden(text, "name")
    if not kana.is_kana(text):
        raise CellError(_("フリガナはカタカナまたはひらがなで入力してください。"))
    return _max(kana.to_katakana(text), 60)


def line(value: Any, *, length: int = 200) -> str:
    text = text_of(value)
    if not text:
        return ""
    _no_hidden(text, "line")
    return _max(text, length)


def long_text(value: Any, *, length: int = 4000) -> str:
    text = text_of(value).replace("\r\n", "\n")
    if not text:
        return ""
    _no_hidden(text, "text")
    return _max(text, length)


_PHONE = re.compile(r"^[0-9\-() +]{6,20}$")


def phone(value: Any) -> str:
    """As ``core.forms.PhoneField``."""
    text = text_of(value)
    if not text:
        return ""
    normalised = unicodedata.normalize("NFKC", text).replace("ー", "-").replace("−", "-").strip()
    if not _PHONE.match(normalised):
        raise CellError(_("電話番号は数字とハイフンで入力してください（例：03-1234-5678）。"))
    return normalised


def postal_code(value: Any) -> str:
    """As the household form: seven digits, kept as 154-0001."""
    text = text_of(value)
    if not text:
        return ""
    digits = unicodedata.normalize("NFKC", text).replace("〒", "").replace("-", "").replace("ー", "").strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) == 7):
        raise CellError(_("郵便番号は7桁の数字で入力してください（例：154-0001）。"))
    return f"{digits[:3]}-{digits[3:]}"


def date(value: Any, *, today: dt.date, past_only: bool = False) -> dt.date | None:
    """A date cell (Excel's own date) or text in 和暦 or 西暦 (令和7年4月1日, R7.4.1, 2025/4/1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = text_of(value)
        if len(text) > 30:
            raise CellError(_("日付が長すぎます。"))
        try:
            day = wareki.parse_date(text)
        except wareki.WarekiError as exc:
            raise CellError(_(exc.message).format(**exc.params)) from exc
    if day.year < 1873:
        raise CellError(_("明治6年より前の日付は扱えません。"))
    if past_only and day > today:
        raise CellError(_("未来の日付は入力できません。"))
    return day


def approx_date(value: Any, *, today: dt.date) -> wareki.ApproxDate | None:
    """A period as the person form takes it (平成18年ごろ, 2006年4月, R7.4.1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        result = wareki.ApproxDate(day, wareki.DAY)
    else:
        try:
            result = wareki.parse_approx(text_of(value)[:30])
        except wareki.WarekiError as exc:
            raise CellError(_(exc.message).format(**exc.params)) from exc
    if result.day > today:
        raise CellError(_("未来の日付は入力できません。"))
    return result


def time_of_day(value: Any) -> dt.time | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    text = unicodedata.normalize("NFKC", text_of(value))
    match = re.match(r"^(\d{1,2})[:時](\d{2})分?$", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError(_("時刻は「14:30」のように入力してください。"))
    return dt.time(int(match[1]), int(match[2]))


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "").lower()


class ChoiceReader:
    """A value from a fixed list, written as its Japanese label (as the template's second sheet
    lists them) or its code."""

    def __init__(self, choices: type[Choices] | Iterable[tuple[Any, Any]], *, extra: dict[str, Any] | None = None):
        pairs = choices.choices if isinstance(choices, type) else list(choices)
        with translation.override("ja"):
            self.labels = [(value, str(label)) for value, label in pairs]
        self.lookup: dict[str, Any] = {}
        for value, label in self.labels:
            self.lookup[_key(str(value))] = value
            self.lookup[_key(label)] = value
        for text, value in (extra or {}).items():
            self.lookup[_key(text)] = value

    def allowed(self) -> list[str]:
        return [label for _value, label in self.labels]

    def __call__(self, value: Any) -> Any:
        text = text_of(value)
        if not text:
            return None
        try:
            return self.lookup[_key(text)]
        except KeyError:
            raise CellError(
                _("「%(value)s」は選べる値ではありません（「選べる値」のシートを見てください）。")
                % {"value": text[:40]}
            ) from None

    def many(self, value: Any) -> list[Any]:
        """Several values separated by 、 , or ・ (相談内容)."""
        text = text_of(value)
        if not text:
            return []
        found = []
        for part in re.split(r"[、,，;；\n]+", text):
            if part.strip():
                found.append(self(part.strip()))
        return list(dict.fromkeys(found))


YES = {"はい", "yes", "y", "true", "1", "○", "〇", "◯", "有", "あり", "済"}
NO = {"いいえ", "no", "n", "false", "0", "×", "無", "なし", "-"}


def yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _key(text_of(value))
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("「はい」か「いいえ」で入力してください。"))


def ledger_number(value: Any) -> str:
    """A ledger's own number (世帯番号, 人番号, ケース番号): up to 40 letters and digits."""
    text = unicodedata.normalize("NFKC", text_of(value)).strip()
    if not text:
        return ""
    if len(text) > 40 or hidden_characters(text, kind="name"):
        raise CellError(_("番号は40文字以内の英数字で入力してください。"))
    return text


def ledger_numbers(value: Any) -> list[str]:
    text = text_of(value)
    return [ledger_number(part) for part in re.split(r"[、,，;；\s]+", text) if part.strip()]
