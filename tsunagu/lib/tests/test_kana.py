import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.lib import kana

HIRAGANA = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3093), min_size=1, max_size=12)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("濱田", "浜田"),
        ("澤田", "沢田"),
    ],
)
def test_it_folds_variant_kanji_to_the_common_form(typed, stored):
    assert kana.search_key(typed) == kana.search_key(stored)


def test_it_folds_hiragana_half_width_and_spaces_into_one_katakana_key():
    assert kana.search_key("やまだ たろう") == "ヤマダタロウ"
    assert kana.search_key("ﾔﾏﾀﾞ　ﾀﾛｳ") == "ヤマダタロウ"
    assert kana.search_key("ヤマダ・タロウ") == "ヤマダタロウ"


def test_it_normalises_full_width_latin_and_case():
    assert kana.search_key("ＳＭＩＴＨ") == "smith"


def test_empty_and_none_give_an_empty_key():
    assert kana.search_key("") == ""
    assert kana.search_key(None) == ""


@given(st.text(max_size=30))
def test_search_key_is_idempotent(text):
    once = kana.search_key(text)
    assert kana.search_key(once) == once


@given(HIRAGANA)
def test_hiragana_and_katakana_spellings_share_a_key(text):
    import jaconv

    assert kana.search_key(text) == kana.search_key(jaconv.hira2kata(text))


@given(HIRAGANA)
def test_every_hiragana_reading_is_accepted_as_kana(text):
    assert kana.is_kana(text)


def test_kanji_latin_and_digits_are_not_kana():
    assert not kana.is_kana("山田")
    assert not kana.is_kana("yamada")
    assert not kana.is_kana("ヤマダ1")


def test_half_width_katakana_counts_as_kana_and_becomes_full_width():
    assert kana.is_kana("ﾔﾏﾀﾞ")
    assert kana.to_katakana("ﾔﾏﾀﾞ  ﾀﾛｳ") == "ヤマダ タロウ"


@pytest.mark.parametrize("text", ["😀", "太郎👍", "1️⃣", "👨‍👩‍👧", "☀"])
def test_it_recognises_emoji(text):
    assert kana.contains_emoji(text)


@pytest.mark.parametrize("text", ["山田太郎", "ヤマダ", "03-1234-5678", "ｶﾀｶﾅ", "々〆ヶ"])
def test_names_and_phones_are_not_emoji(text):
    assert not kana.contains_emoji(text)
