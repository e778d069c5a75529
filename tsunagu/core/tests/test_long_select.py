"""LongSelect writes the same options as Django's Select (values, escaped labels, the selected
one), only in one template loop."""

import re

from django import forms

from tsunagu.core.forms import LongSelect

CHOICES = [("", "---------"), ("1", "山田 <b>花子</b>"), ("2", "佐藤 一郎"), ("3", '"引用" & 記号')]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def options(widget, value):
    html = widget.render("owner", value, attrs={"id": "id_owner"})
    return html, OPTION.findall(html)


def test_long_select_writes_the_options_of_django_select():
    for value in ("", "2", None):
        _, default = options(forms.Select(choices=CHOICES), value)
        long_html, long = options(LongSelect(choices=CHOICES), value)
        assert long == default and len(long) == len(CHOICES)
        assert long_html.startswith('<select name="owner" id="id_owner">')
    html, chosen = options(LongSelect(choices=CHOICES), "2")
    assert [o for o in chosen if o[1]] == [("2", " selected", "佐藤 一郎")]
    assert "&lt;b&gt;" in html and "<b>" not in html
