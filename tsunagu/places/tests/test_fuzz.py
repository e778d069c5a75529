"""R4 over the places forms (place, session, anonymous counts, named attendance, enrolment and its
end): any input is saved or answered on the page, never a server error, and a refusal writes
nothing (nothing half-written: no session without its staff, no partial grid)."""

import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.core.tests.personas import client_for
from tsunagu.people.models import Person
from tsunagu.places.forms import count_field_name
from tsunagu.places.models import AnonymousCount, Enrolment, NamedAttendance, Place, PlaceSession
from tsunagu.places.tests.factories import enrolment_of, merkmal_place, merkmal_session
from tsunagu.records.models import ProgressRecord

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "-1", "1", "99999999999", "令和99年13月40日", "令和8年11月1日", "25:99", "10:00", "<script>", "\x00"]
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fields(*names):
    return st.dictionaries(st.sampled_from(names), TEXT, max_size=5)


@given(fields("name", "kind", "agency", "audience", "age_min", "age_max", "capacity", "joining", "area", "contact"))
@FUZZ
@pytest.mark.django_db
def test_any_place_input_is_saved_or_answered(world, lead_worker, data):
    before = Place.objects.count()
    response = client_for(lead_worker).post(reverse("places:new"), {**data, "submission_key": str(uuid.uuid4())})
    assert response.status_code in (302, 400)
    assert Place.objects.count() == before + (1 if response.status_code == 302 else 0)


@given(fields("kind", "held_on", "starts_at", "ends_at", "staff", "notes"))
@FUZZ
@pytest.mark.django_db
def test_any_session_input_is_saved_or_answered(world, lead_worker, data):
    place = merkmal_place()
    before = PlaceSession.objects.count()
    url = reverse("places:session_new", kwargs={"pk": place.pk})
    response = client_for(lead_worker).post(url, {**data, "submission_key": str(uuid.uuid4())})
    assert response.status_code in (302, 400)
    assert PlaceSession.objects.count() == before + (1 if response.status_code == 302 else 0)


CELLS = [
    count_field_name(r, b, s) for r in ("person", "family") for b in ("10s", "20s", "70+") for s in ("male", "female")
]


@given(st.dictionaries(st.sampled_from(CELLS), TEXT, max_size=6))
@FUZZ
@pytest.mark.django_db
def test_any_count_grid_is_saved_whole_or_not_at_all(world, lead_worker, data):
    session = merkmal_session()
    persons = Person.objects.count()
    before = sorted(AnonymousCount.objects.filter(session=session).values_list("role", "age_band", "sex", "count"))
    response = client_for(lead_worker).post(reverse("places:session_counts", kwargs={"pk": session.pk}), data)
    assert response.status_code in (302, 400)
    after = sorted(AnonymousCount.objects.filter(session=session).values_list("role", "age_band", "sex", "count"))
    if response.status_code == 400:
        assert after == before
    else:
        assert sum(n for *_cell, n in after) == sum(int(v or 0) for v in data.values())
    assert Person.objects.count() == persons


@given(fields("person", "role"))
@FUZZ
@pytest.mark.django_db
def test_any_named_attendance_input_is_saved_or_answered(world, lead_worker, data):
    session = merkmal_session()
    before = (NamedAttendance.objects.count(), ProgressRecord.objects.count(), Person.objects.count())
    response = client_for(lead_worker).post(reverse("places:named_add", kwargs={"pk": session.pk}), data)
    assert response.status_code in (302, 400)
    after = (NamedAttendance.objects.count(), ProgressRecord.objects.count(), Person.objects.count())
    if response.status_code == 400:
        assert after == before
    assert after[2] == before[2]


@given(fields("person", "place", "starts_on", "note"))
@FUZZ
@pytest.mark.django_db
def test_any_enrolment_input_is_saved_or_answered(world, lead_worker, data):
    before = Enrolment.objects.count()
    url = reverse("places:enrolment_new", kwargs={"case_pk": world.case.pk})
    response = client_for(lead_worker).post(url, {**data, "submission_key": str(uuid.uuid4())})
    assert response.status_code in (302, 400)
    assert Enrolment.objects.count() == before + (1 if response.status_code == 302 else 0)


@given(fields("version", "ends_on", "outcome", "note"))
@FUZZ
@pytest.mark.django_db
def test_any_enrolment_end_is_saved_or_answered(world, lead_worker, data):
    enrolment = enrolment_of(world)
    enrolment.refresh_from_db()
    before = (enrolment.version, enrolment.ends_on, enrolment.outcome)
    response = client_for(lead_worker).post(reverse("places:enrolment_end", kwargs={"pk": enrolment.pk}), data)
    assert response.status_code in (302, 400, 409)
    enrolment.refresh_from_db()
    if response.status_code != 302:
        assert (enrolment.version, enrolment.ends_on, enrolment.outcome) == before
