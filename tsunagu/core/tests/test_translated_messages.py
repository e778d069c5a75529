"""Text a user reads goes through gettext, also where it is written in Python rather than in a template."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise

from tsunagu.core.approxdate import ApproxDateField
from tsunagu.core.forms import JapaneseDateField

PACKAGE = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Punctuation and the long-vowel mark join translated parts or are data (kana folding), not text.
NOT_TEXT = set("（）：・ー、／「」")
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
# The places where Python code writes what the user sees on a page.
USER_FACING = ("views.py", "forms.py", "apps.py", "urls.py", "conflict.py", "approxdate.py")
PERIOD_HELP = "時期は「平成18年ごろ」「2006年4月」「R7.4.1」のように、年・年月・日付で入力してください。"


def _untranslated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and JAPANESE.search(node.value)):
            continue
        if isinstance(parents.get(node), ast.Expr) or set(node.value) <= NOT_TEXT:
            continue  # a docstring, or punctuation
        ancestor, marked = node, False
        while ancestor in parents and not marked:
            ancestor = parents[ancestor]
            if isinstance(ancestor, ast.Call):
                func = ancestor.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                marked = name in GETTEXT
        if not marked:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:40]}")
    return found


def test_user_facing_python_has_no_japanese_outside_gettext():
    files = [p for name in USER_FACING for p in PACKAGE.rglob(name) if "tests" not in p.parts]
    assert len(files) > 20
    assert [line for path in files for line in _untranslated(path)] == []


def test_every_app_has_a_translatable_name():
    configs = [c for c in apps.get_app_configs() if c.name.startswith("tsunagu.")]
    assert len(configs) >= 12
    assert [c.name for c in configs if not isinstance(c.verbose_name, Promise)] == []


def test_every_date_error_of_lib_is_marked_for_the_catalogue():
    """lib has no Django: it marks its messages with a no-op ``gettext_noop`` (which makemessages
    extracts) and the form layer translates them."""
    source = (PACKAGE / "lib" / "wareki.py").read_text(encoding="utf-8")
    assert "django" not in source
    raised = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "WarekiError"
    ]
    assert len(raised) >= 10
    for call in raised:
        message = call.args[0]
        assert isinstance(message, ast.Call) and message.func.id == "gettext_noop", ast.unparse(call)
        assert isinstance(message.args[0], ast.Constant), ast.unparse(call)


@pytest.mark.parametrize(
    ("field", "text", "msgid", "message"),
    [
        (
            JapaneseDateField(),
            "2025年2月30日",
            "{year}年{month}月{day}日という日付はありません。",
            "2025年2月30日という日付はありません。",
        ),
        (JapaneseDateField(), "R1.4.30", "{period}は{era}の期間外です。", "令和1年4月30日は令和の期間外です。"),
        (ApproxDateField(), "20代のころ", PERIOD_HELP, PERIOD_HELP),
        (ApproxDateField(), "2006年13月", "{month}月という月はありません。", "13月という月はありません。"),
    ],
)
def test_a_date_error_is_translated_before_its_values_are_put_in(field, text, msgid, message, monkeypatch):
    with pytest.raises(ValidationError) as japanese:
        field.clean(text)
    assert japanese.value.messages == [message]

    seen = []

    def fake_gettext(msgid):
        seen.append(msgid)
        return "EN " + msgid

    monkeypatch.setattr("tsunagu.core.forms.gettext", fake_gettext)
    with translation.override("en"), pytest.raises(ValidationError) as english:
        field.clean(text)
    assert english.value.messages == ["EN " + message]
    assert seen == [msgid]
