"""Normalisation of Japanese names for search and duplicate detection.

A search key is what two spellings of the same name have in common: NFKC (half-width katakana
become full-width, full-width latin and digits become ASCII), no spaces, hiragana folded to
katakana, latin lower-cased, and common variant kanji (異体字) folded to their usual form.
"""

import re
import unicodedata

import jaconv

# Variant kanji seen in family names, folded to the form most people type. Keep this list to
# characters whose folding no family would object to *for search*; the stored name is untouched.
VARIANT_KANJI = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斎",
    "濱": "浜",
    "濵": "浜",
    "澤": "沢",
    "嶋": "島",
    "嶌": "島",
    "櫻": "桜",
    "廣": "広",
    "國": "国",
    "藝": "芸",
    "眞": "真",
    "惠": "恵",
    "德": "徳",
    "瀨": "瀬",
    "冨": "富",
    "槇": "槙",
    "桒": "桑",
    "籠": "篭",
    "舘": "館",
}
_VARIANT_TABLE = str.maketrans(VARIANT_KANJI)
_SPACES = re.compile(r"[\s\u3000・･.,、，]+")
_KANA_ONLY = re.compile(r"^[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc\u30fd\u30fe\s\u3000・]*$")


def fold_variants(text: str) -> str:
    """Fold variant kanji (髙→高, 﨑→崎, 邊/邉→辺, 齋/齊→斎, 濱→浜, 澤→沢, …)."""
    return text.translate(_VARIANT_TABLE)


def search_key(text: str | None) -> str:
    """The normalised key under which a name (kanji or kana) is searched and compared."""
    if not text:
        return ""
    value = unicodedata.normalize("NFKC", text)
    value = _SPACES.sub("", value)
    value = jaconv.hira2kata(value)
    value = fold_variants(value).lower()
    # Removing spaces can bring a combining mark next to a letter: compose once more.
    return unicodedata.normalize("NFKC", value)


def to_katakana(text: str) -> str:
    """A kana reading as staff expect to see it: full-width katakana, single spaces kept."""
    value = unicodedata.normalize("NFKC", text).strip()
    value = re.sub(r"[\s\u3000]+", " ", value)
    return jaconv.hira2kata(value)


def is_kana(text: str) -> bool:
    """True when ``text`` (after NFKC) is only hiragana, katakana, long vowel marks and spaces."""
    return bool(_KANA_ONLY.match(unicodedata.normalize("NFKC", text)))


def contains_emoji(text: str) -> bool:
    """True when the text holds pictographs or emoji joiners, which no name or phone contains."""
    for char in text:
        code = ord(char)
        if code >= 0x1F000 or 0x2600 <= code <= 0x27BF or code in (0xFE0F, 0x200D, 0x20E3):
            return True
    return False
