"""``pk_url`` (the lists' row links) gives what ``{% url %}`` gives."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from tsunagu.core.templatetags.tsunagu import pk_url

NAMES = ["cases:detail", "intake:detail", "referrals:detail", "people:person_detail", "records:detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 2147483647, 9_000_000_000])
def test_the_url_of_a_pk_is_the_reversed_one(name, pk):
    assert pk_url(pk, name) == reverse(name, args=[pk])


def test_the_script_prefix_is_kept():
    try:
        set_script_prefix("/tsunagu/")
        assert pk_url(7, "cases:detail") == "/tsunagu/staff/cases/7/" == reverse("cases:detail", args=[7])
    finally:
        set_script_prefix("/")
    assert pk_url(7, "cases:detail") == "/staff/cases/7/"


def test_a_value_that_is_not_an_int_is_reversed_as_url_does():
    assert pk_url("12", "cases:detail") == reverse("cases:detail", args=["12"])


def test_the_filter_writes_what_the_url_tag_writes():
    engine = engines["django"]
    ours = engine.from_string('{% load tsunagu %}<a href="{{ pk|pk_url:"referrals:detail" }}">')
    theirs = engine.from_string("<a href=\"{% url 'referrals:detail' pk %}\">")
    for pk in (1, 123456):
        assert ours.render({"pk": pk}) == theirs.render({"pk": pk})
