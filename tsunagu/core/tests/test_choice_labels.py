"""``get_FOO_display`` of the project's models (core.models.ChoiceLabels) gives what Django's own
gives, for every choice of every field, in both languages, and the value itself off the choices."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from tsunagu.core.models import ChoiceLabels


def _choice_fields():
    for model in apps.get_models():
        if not issubclass(model, ChoiceLabels):
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_some_models_and_fields_are_covered():
    names = {(m.__name__, f.name) for m, f in _choice_fields()}
    assert ("Case", "status") in names
    assert ("TimelineEntry", "kind") in names
    assert ("Consultation", "main_concern") in names
    assert ("Referral", "status") in names


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_label_is_the_one_django_gives(language):
    with translation.override(language):
        for model, field in _choice_fields():
            for value, _label in field.flatchoices:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(instance, field)
                assert ours == django, (model.__name__, field.name, value)
                assert type(ours) is str


def test_a_value_that_is_not_a_choice_shows_as_itself():
    from tsunagu.cases.models import Case

    assert Case(status="no-such-status").get_status_display() == "no-such-status"
    assert Case(status="").get_status_display() == ""


def test_labels_follow_the_active_language():
    """The dict is built once per field, but the labels in it stay lazy: each call translates."""
    from tsunagu.cases.models import Case, CaseStatus

    case = Case(status=CaseStatus.CLOSED)
    with translation.override("ja"):
        assert case.get_status_display() == "終結"
    with translation.override("en"):
        english = case.get_status_display()
    assert english != "終結"
    with translation.override("ja"):
        assert case.get_status_display() == "終結"
