"""Invented names for the synthetic population (and the person-search benchmark).

Surnames are two characters, each with a reading, 900 in all, drawn with a skew so that the
commonest holds about 1% of the population, roughly as 佐藤 does in Japan. Every name is made up.
"""

from tsunagu.demo.names import ELDER_FEMALE, FEMALE, MALE

PARTS = [
    ("山", "ヤマ"),
    ("田", "タ"),
    ("中", "ナカ"),
    ("小", "コ"),
    ("大", "オオ"),
    ("高", "タカ"),
    ("松", "マツ"),
    ("石", "イシ"),
    ("川", "カワ"),
    ("井", "イ"),
    ("木", "キ"),
    ("林", "ハヤシ"),
    ("森", "モリ"),
    ("藤", "フジ"),
    ("岡", "オカ"),
    ("村", "ムラ"),
    ("本", "モト"),
    ("野", "ノ"),
    ("原", "ハラ"),
    ("島", "シマ"),
    ("橋", "ハシ"),
    ("上", "ウエ"),
    ("下", "シタ"),
    ("西", "ニシ"),
    ("東", "ヒガシ"),
    ("北", "キタ"),
    ("南", "ミナミ"),
    ("前", "マエ"),
    ("後", "ゴ"),
    ("長", "ナガ"),
]
FAMILY = [(a + b, ka + kb) for a, ka in PARTS for b, kb in PARTS]
GIVEN = MALE + FEMALE
GIVEN_MALE = MALE
GIVEN_FEMALE = FEMALE + [n for n in ELDER_FEMALE if n not in FEMALE]
# The skew of the surname draw: index = floor(random ** SURNAME_SKEW * len(FAMILY)).
SURNAME_SKEW = 1.5


def surname_index(u: float) -> int:
    """The surname drawn for a uniform ``u`` in [0, 1) (skewed towards the first ones)."""
    return int(u**SURNAME_SKEW * len(FAMILY))
