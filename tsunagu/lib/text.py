"""Invisible and direction-changing characters (display spoofing): which ones a kind of text
refuses. Pure functions; the form layer turns a refusal into a field error
(``core.forms.no_hidden_chars_in_*``, and the admin's fields in ``agencies.admin``).

One policy for every text a user types, in three strengths (docs/decisions/0007):
- names and labels ("name"): no control (Cc) or format (Cf) character at all: no bidi override, no
  zero-width space/joiner, no BOM; no line separators; no invisible fillers;
- one-line free text ("line"): no control character, no bidi control, no line separator and no
  zero-width space/BOM; joiners (U+200C/U+200D) stay, emoji sequences and some scripts use them;
- multi-line free text ("text"): no control character except tab and line breaks, no bidi
  control; everything else people write (emoji, joiners) stays.
"""

import unicodedata

BIDI_CONTROLS = frozenset(
    chr(code) for code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
ZERO_WIDTH = frozenset(chr(code) for code in (0x180E, 0x200B, 0x2060, 0xFEFF))
# Letters that render as nothing (Hangul fillers, the combining grapheme joiner).
INVISIBLE_LETTERS = frozenset(chr(code) for code in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0))
LINE_BREAKS = "\t\n\r"


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogue (``makemessages`` finds this name); lib has no Django."""
    return message


# The field error, translated by the form layer; %(codes)s names the characters found.
HIDDEN_MESSAGE = gettext_noop(
    "使えない文字が含まれています（%(codes)s：見えない文字や、文字の向きを変える制御文字）。"
    "取り除いてから入力してください。"
)


def _hidden_in_name(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or char in INVISIBLE_LETTERS


def _hidden_in_line(char: str) -> bool:
    return (
        unicodedata.category(char) in ("Cc", "Zl", "Zp")
        or char in BIDI_CONTROLS
        or char in ZERO_WIDTH
        or char in INVISIBLE_LETTERS
    )


def _hidden_in_text(char: str) -> bool:
    return (unicodedata.category(char) == "Cc" and char not in LINE_BREAKS) or char in BIDI_CONTROLS


def hidden_characters(value: str, *, kind: str = "name") -> list[str]:
    """The characters of ``value`` refused for this kind of text ("name", "line" or "text")."""
    test = {"name": _hidden_in_name, "line": _hidden_in_line, "text": _hidden_in_text}[kind]
    return sorted({char for char in value if test(char)}) if value else []


def code_points(chars: list[str], *, most: int = 5) -> str:
    """「U+202E、U+200B」: the first ``most`` characters, for the field error."""
    return "、".join(f"U+{ord(char):04X}" for char in chars[:most])
