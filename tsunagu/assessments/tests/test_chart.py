"""The history chart shows a hostile name as text: no attribute, no markup (issue 8, defect 2)."""

import pytest
from django.urls import reverse

from tsunagu.assessments.tests.test_views import post_new
from tsunagu.core.tests.hostile import HOSTILE_FAMILY, HOSTILE_FULL, HOSTILE_GIVEN, injected_attributes, shown_as_text
from tsunagu.core.tests.personas import client_for
from tsunagu.people.models import Person


@pytest.mark.django_db
def test_a_hostile_name_in_the_chart_title_stays_text(world, lead_worker):
    Person.objects.filter(pk=world.person.pk).update(family_name=HOSTILE_FAMILY, given_name=HOSTILE_GIVEN)
    client = client_for(lead_worker)
    post_new(client, world, assessed_on="令和8年6月1日", q_going_out="8", q_support_stage="1")
    post_new(client, world, assessed_on="令和8年11月1日", q_going_out="6", q_support_stage="2")
    page = client.get(reverse("assessments:history", kwargs={"person_pk": world.person.pk})).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert injected_attributes(svg) == []
    assert shown_as_text(svg, f"{HOSTILE_FULL} のアセスメントの推移") == []
    assert 'hx-post="/staff' not in page


def test_the_chart_is_geometry_and_plain_labels():
    from tsunagu.assessments.chart import Series, line_chart

    chart = line_chart(
        [Series('"<b>', [("R8.6.1", 1.0), ("R8.11.1", None), ("R9.1.1", 3.0)], 1, 3, "#000")], title="<t>"
    )
    assert [t.label for t in chart.ticks] == ["R8.6.1", "R8.11.1", "R9.1.1"]
    line = chart.lines[0]
    assert line.label == '"<b>' and chart.title == "<t>"  # plain data: escaping is the template's job
    assert [(p.x, p.y, p.value) for p in line.points] == [(40, 180, "1"), (600, 10, "3")]
    assert line.polyline == "40.0,180.0 600.0,10.0"
