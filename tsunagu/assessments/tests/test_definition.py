"""Instruments as data: validation of definitions and scoring (property-based where it counts)."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.assessments.definition import UNKNOWN, DefinitionError, completeness, item_score, score, validate


def sheet(**overrides):
    """A licensed-scale-like definition: items, reverse scoring, subscales, a total with a cut-off."""
    definition = {
        "code": "demo-scale",
        "version": 1,
        "name": "デモ尺度",
        "target": "person",
        "sections": [
            {
                "title": "A",
                "items": [
                    {"id": "a1", "text": "質問1", "type": "scale", "min": 0, "max": 4, "subscale": "social"},
                    {
                        "id": "a2",
                        "text": "質問2",
                        "type": "scale",
                        "min": 0,
                        "max": 4,
                        "subscale": "social",
                        "reverse": True,
                    },
                    {
                        "id": "a3",
                        "text": "質問3",
                        "type": "single",
                        "subscale": "daily",
                        "options": [
                            {"value": 1, "label": "はい", "score": 2},
                            {"value": 2, "label": "いいえ", "score": 0},
                        ],
                    },
                    {"id": "note", "text": "メモ", "type": "text"},
                ],
            }
        ],
        "scales": [{"id": "total", "label": "合計", "subscales": ["social", "daily"], "cut_off": 6}],
    }
    definition.update(overrides)
    return definition


def test_a_definition_can_express_reverse_items_subscales_and_a_cut_off():
    result = score(validate(sheet()), {"a1": "4", "a2": "0", "a3": "1"})
    assert result["subscales"]["social"] == {"sum": 8.0, "counted": 2, "of": 2}
    assert result["scales"]["total"]["sum"] == 10.0
    assert result["scales"]["total"]["above_cut_off"] is True


def test_unknown_and_missing_answers_are_counted_but_not_summed():
    result = score(sheet(), {"a1": UNKNOWN, "a3": "2"})
    assert result["scales"]["total"] | {} == {
        "label": "合計",
        "sum": 0.0,
        "counted": 1,
        "of": 3,
        "cut_off": 6,
        "above_cut_off": False,
    }
    done = completeness(sheet(), {"a1": UNKNOWN, "a3": "2"})
    assert (done.answered, done.unknown, done.missing) == (1, 1, ["a2", "note"])


@given(st.integers(min_value=0, max_value=4))
def test_a_reverse_item_mirrors_the_scale(value):
    forward, reverse = sheet()["sections"][0]["items"][:2]
    assert item_score(forward, str(value)) + item_score(reverse, str(value)) == 4


@given(
    st.dictionaries(
        st.sampled_from(["a1", "a2", "a3", "note"]),
        st.one_of(st.sampled_from([UNKNOWN, "", None]), st.integers(0, 4).map(str), st.sampled_from(["1", "2"])),
        max_size=4,
    )
)
def test_totals_stay_within_their_bounds_whatever_is_answered(answers):
    result = score(sheet(), answers)["scales"]["total"]
    assert 0 <= result["sum"] <= 10
    assert 0 <= result["counted"] <= result["of"] == 3
    done = completeness(sheet(), answers)
    assert done.total == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("code"), "「code」がありません"),
        (lambda d: d.update(version=0), "version は1以上"),
        (lambda d: d.update(target="robot"), "target は person か family"),
        (lambda d: d["sections"][0]["items"].append(dict(d["sections"][0]["items"][0])), "重複"),
        (lambda d: d["sections"][0]["items"][0].update(type="slider"), "type は"),
        (lambda d: d["sections"][0]["items"][0].update(min=4, max=0), "min < max"),
        (lambda d: d["sections"][0]["items"][2].update(options=[]), "選択肢（options）がありません"),
        (lambda d: d["sections"][0]["items"][2]["options"].append({"value": "unknown", "label": "?"}), "予約"),
        (lambda d: d["sections"][0]["items"][3].update(reverse=True), "reverse は"),
        (lambda d: d["scales"][0].update(subscales=["nothing"]), "下位尺度「nothing」"),
        (lambda d: d["sections"][0]["items"][0].update(id="a 1"), "英数字"),
    ],
)
def test_a_malformed_definition_is_refused_with_a_clear_message(change, message):
    definition = copy.deepcopy(sheet())
    change(definition)
    with pytest.raises(DefinitionError) as refused:
        validate(definition)
    assert any(message in problem for problem in refused.value.problems), refused.value.problems


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=10,
    )
)
def test_any_yaml_value_is_either_valid_or_refused_never_a_crash(value):
    try:
        validate(value)
    except DefinitionError as refused:
        assert refused.problems
