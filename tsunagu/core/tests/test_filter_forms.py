"""The filter forms' selects (core.forms.LongSelect) write exactly what Django's select template
writes, for every filter form of the lists, with and without chosen values, hostile labels
escaped the same way."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from tsunagu.agencies.models import Agency, District
from tsunagu.cases.forms import CaseListForm
from tsunagu.cases.selectors import CASE_SORTS
from tsunagu.core.forms import LongSelect
from tsunagu.intake.forms import QueueFilterForm
from tsunagu.referrals.forms import InboxFilterForm

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def _forms(query: str):
    data = QueryDict(query)
    workers = get_user_model().objects.order_by("pk")
    districts = District.objects.select_related("area")
    sorts = [(name, ordering.label) for name, ordering in CASE_SORTS.items()]
    yield CaseListForm(data, workers=workers, districts=districts, sorts=sorts)
    yield QueueFilterForm(data, districts=districts)
    yield InboxFilterForm(data, agencies=Agency.objects.filter(active=True).order_by("code"))


def _both(field: forms.BoundField) -> tuple[str, str]:
    ours = field.as_widget()
    widget = field.field.widget
    stock = forms.Select(attrs=widget.attrs, choices=widget.choices)
    stock.is_required = widget.is_required
    return str(ours), str(field.as_widget(widget=stock))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=closed&stage=2&sort=number&show=all&box=sent&overdue=on",
        "status=nonsense&stage=x&worker=999999&district=nowhere&agency=999999&sort=%3Cb%3E",
    ],
)
def test_every_select_is_written_as_django_writes_it(reference, query):
    user = get_user_model().objects.create_user("hostile", first_name=HOSTILE, last_name=HOSTILE)
    district = District.objects.first()
    agency = Agency.objects.filter(active=True).first()
    query += f"&worker={user.pk}&district={district.code}&agency={agency.pk}" if "nowhere" not in query else ""
    Agency.objects.filter(pk=agency.pk).update(name=HOSTILE)
    District.objects.filter(pk=district.pk).update(name=HOSTILE)
    selects = 0
    escaped = 0
    for form in _forms(query):
        form.valid()
        for field in form:
            if isinstance(field.field.widget, forms.Select) and not isinstance(
                field.field.widget, forms.SelectMultiple
            ):
                assert isinstance(field.field.widget, LongSelect), field.name
                ours, stock = _both(field)
                assert ours == stock, field.name
                assert "<script>" not in ours
                escaped += "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in ours
                selects += 1
    assert selects == 12
    assert escaped == 4  # the worker, both district selects and the agency


def test_a_selected_value_is_marked(reference):
    form = QueueFilterForm(QueryDict("show=all"), districts=District.objects.none())
    html = str(form["show"])
    assert '<option value="all" selected>' in html
