import pytest
from django.core.management import call_command

from tsunagu.places.models import Place, PlaceKind


@pytest.mark.django_db
def test_the_setagaya_places_load_idempotently(reference):
    call_command("load_places", verbosity=0)
    first = dict(Place.objects.values_list("code", "version"))
    assert len(first) >= 7
    call_command("load_places", verbosity=0)
    assert dict(Place.objects.values_list("code", "version")) == first
    family = Place.objects.get(code="family-kai-tsudoi")
    assert (family.kind, family.agency.code, family.audience) == (PlaceKind.FAMILY_ASSOCIATION, "link", "family")
    assert family.organiser
    assert {p.kind for p in Place.objects.all()} == set(PlaceKind.values)
