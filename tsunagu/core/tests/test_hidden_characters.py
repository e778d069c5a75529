"""Names and labels refuse invisible and direction-changing characters (issue 8, defect 11).

A right-to-left override (U+202E) makes ``山田‮太郎`` display as something else; a zero-width space
makes two records look the same. The shared fields of ``core/forms.py`` refuse them with a Japanese
message on the field, and nothing is written.
"""

import importlib
import inspect
import uuid

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.core.forms import (
    KanaField,
    LineField,
    NameField,
    TextField,
    no_hidden_chars_in_line,
    no_hidden_chars_in_name,
    no_hidden_chars_in_text,
)
from tsunagu.core.tests.forms import assert_refused
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.lib.text import BIDI_CONTROLS, hidden_characters
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import create_meeting
from tsunagu.people.models import Household, Person, PersonNameKey

RLO, LRI, PDI, ZWSP, BOM, LRM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\u200e"
MESSAGE = "見えない文字や、文字の向きを変える制御文字"
APPS = ("people", "intake", "public", "cases", "meetings", "plans", "records", "referrals", "assessments")

# --- The rule, as properties ---------------------------------------------------------------

visible = st.text(
    alphabet=st.characters(
        categories=["L", "M", "N", "P", "S", "Zs"], exclude_characters="\u034f\u115f\u1160\u3164\uffa0"
    ),
    max_size=40,
)
spoofing = st.sampled_from(sorted(BIDI_CONTROLS))


@given(visible)
def test_visible_text_is_accepted_everywhere(text):
    for kind in ("name", "line", "text"):
        assert hidden_characters(text, kind=kind) == []


@given(visible, spoofing, visible)
def test_a_bidi_control_anywhere_is_refused_everywhere(before, control, after):
    for kind in ("name", "line", "text"):
        assert control in hidden_characters(before + control + after, kind=kind)


@given(visible, st.sampled_from([ZWSP, BOM, "\u2060", "\u00ad", "\u3164", "\u200d", "\u200c"]), visible)
def test_names_refuse_every_invisible_character(before, hidden, after):
    assert hidden_characters(before + hidden + after, kind="name") == [hidden]


@given(visible, st.sampled_from(["\n", "\r\n", "\t"]), visible)
def test_line_breaks_belong_to_multi_line_text_only(before, brk, after):
    text = before + brk + after
    assert hidden_characters(text, kind="text") == []
    assert hidden_characters(text, kind="line") and hidden_characters(text, kind="name")


@given(st.text(max_size=80))
def test_the_fields_answer_any_text_with_a_value_or_a_field_error(text):
    for field in (
        NameField(required=False),
        KanaField(required=False),
        LineField(required=False),
        TextField(required=False),
    ):
        try:
            value = field.clean(text)
        except forms.ValidationError:
            continue
        kind = "text" if isinstance(field, TextField) else "line" if isinstance(field, LineField) else "name"
        assert hidden_characters(value, kind=kind) == []


def test_emoji_sequences_stay_in_free_text_and_the_message_names_the_character():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    no_hidden_chars_in_text(f"家族の写真{family}\n次の行")
    no_hidden_chars_in_line(f"家族{family}")
    with pytest.raises(forms.ValidationError) as refused:
        no_hidden_chars_in_name(f"山田{RLO}太郎")
    assert "U+202E" in refused.value.messages[0] and MESSAGE in refused.value.messages[0]


# --- Every free-text field of every form applies the rule ------------------------------------

HIDDEN_RULES = (no_hidden_chars_in_name, no_hidden_chars_in_line, no_hidden_chars_in_text)
# Fields whose own format check already refuses anything but digits, ASCII or a fixed choice.
EXEMPT = {"postal_code", "website", "contact_email", "case_number"}


def form_classes():
    for app in APPS:
        module = importlib.import_module(f"tsunagu.{app}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_free_text_field_refuses_hidden_characters():
    unguarded = []
    for cls in form_classes():
        try:  # forms that add fields in __init__ (plan goals) are checked with those fields
            fields = cls().fields
        except (TypeError, AttributeError):
            fields = cls.base_fields
        for name, field in fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, forms.EmailField | forms.UUIDField):
                continue
            if name in EXEMPT or type(field).__name__ == "PhoneField":
                continue
            if not any(rule in field.validators for rule in HIDDEN_RULES):
                unguarded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unguarded == []


# --- Through the pages: a field error, a 4xx, nothing written --------------------------------

PERSON_BASE = {"sex": "unknown", "relation": "unknown", "disability": "unknown"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family_name", f"山田{RLO}郎太"),
        ("given_name", f"太{ZWSP}郎"),
        ("family_name_kana", f"ヤマダ{LRM}"),
        ("label", f"{LRI}相談者の長男{PDI}"),
        ("label", f"長男{BOM}"),
    ],
)
def test_a_person_with_hidden_characters_is_refused(world, desk, field, value):
    assert_refused(
        client_for(desk),
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        {**PERSON_BASE, "submission_key": str(uuid.uuid4()), "family_name": "山田", field: value},
        field=field,
        message=MESSAGE,
        unchanged=(Person, PersonNameKey),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("label", f"池尻の{RLO}山田さん宅"), ("address", f"池尻1-2-3{RLO}")])
def test_a_household_with_hidden_characters_is_refused(desk, field, value):
    assert_refused(
        client_for(desk),
        reverse("people:household_create"),
        {"submission_key": str(uuid.uuid4()), "label": "池尻の山田さん宅", field: value},
        field=field,
        message=MESSAGE,
        unchanged=(Household,),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("contact_name", f"はは{RLO}"), ("contact_note", f"夕方{ZWSP}"), ("summary", f"息子のこと{RLO}です")],
)
def test_the_public_form_refuses_hidden_characters_on_the_field(reference, field, value):
    data = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "family",
        "contact_relation": "mother",
        "concerns": ["withdrawal"],
        "summary": "息子が何年も部屋から出てきません。",
        "contact_preference": "no_contact",
        field: value,
    }
    response = Client().post(reverse("public:request"), data)
    assert response.status_code == 400
    assert MESSAGE in str(response.context["form"].errors[field])
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_the_public_form_keeps_line_breaks_and_emoji_in_the_message(reference):
    data = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "self",
        "concerns": ["withdrawal"],
        "summary": "一行目\r\n二行目\t🙂",
        "contact_preference": "no_contact",
    }
    assert Client().post(reverse("public:request"), data).status_code == 200
    assert Consultation.objects.get().summary == "一行目\r\n二行目\t🙂"


@pytest.mark.django_db
def test_a_meeting_title_with_an_override_is_refused(world, lead_worker):
    response = create_meeting(client_for(lead_worker), title=f"支援会議{RLO}")
    assert response.status_code == 400
    assert MESSAGE in str(response.context["form"].errors["title"])
    assert not Meeting.objects.exists()
