"""Outside review of the statistics (issue 13): defects found and the tests that pin their fixes."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Area, Role
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.reports import compose
from tsunagu.reports.tables import Table, publish, publish_all

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
AGES = ("10代以下", "20代", "30代")
DURATIONS = ("1年未満", "1〜5年", "5年以上")
# 年代 × 期間: alone, the one-way 年代 table withholds 8 and 4 and publishes 14, while the cross
# table withholds the row totals 14 and 4 and publishes 8: together with the grand total 26,
# the 4 (a small count) is 26 − 14 − 8.
CROSS_CELLS = ((8, 5, 1), (3, 5, 0), (0, 0, 4))


def _one_way(key, rows, values, dim, **extra):
    return Table(
        key=key,
        title=key,
        definition="定義",
        rows=rows,
        columns=("人数",),
        cells=tuple((v,) for v in values),
        dims=(dim, ""),
        **extra,
    )


AGE10 = _one_way("age10", AGES, [sum(row) for row in CROSS_CELLS], "age10")
AGE10_DURATION = Table(
    key="age10_duration",
    title="年代×期間",
    definition="定義",
    rows=AGES,
    columns=DURATIONS,
    cells=CROSS_CELLS,
    dims=("age10", "duration"),
)
DURATION = _one_way("duration", DURATIONS, [sum(col) for col in zip(*CROSS_CELLS, strict=True)], "duration")


def _hidden_one_way(published):
    return {label for label, row in zip(published.table.rows, published.cells, strict=True) if row[0] is None}


def _hidden_row_totals(published):
    return {label for label, v in zip(published.table.rows, published.row_totals, strict=True) if v is None}


def test_tables_published_alone_give_a_withheld_margin_away():
    """The defect: each table protected on its own withholds different margins."""
    one_way, cross = publish(AGE10), publish(AGE10_DURATION)
    assert _hidden_one_way(one_way) != _hidden_row_totals(cross)


def test_a_margin_shared_by_two_tables_is_withheld_in_both():
    one_way, cross, duration = publish_all([AGE10, AGE10_DURATION, DURATION])
    assert _hidden_one_way(one_way) == _hidden_row_totals(cross)
    assert "10代以下" not in {label for label, row in zip(AGES, one_way.cells, strict=True) if row[0] is not None}
    hidden_columns = {label for label, v in zip(DURATIONS, cross.column_totals, strict=True) if v is None}
    assert _hidden_one_way(duration) == hidden_columns
    # No withheld small margin is the grand total minus the published rest.
    published = {label: row[0] for label, row in zip(AGES, one_way.cells, strict=True) if row[0] is not None}
    published |= {label: v for label, v in zip(AGES, cross.row_totals, strict=True) if v is not None}
    assert len(published) <= len(AGES) - 2


def _brute_force_determined(values, hidden, total, groups=None, group_totals=None):
    """Hidden entries fixed by the published ones (non-negative solutions, small search)."""
    hidden = sorted(hidden)
    known = sum(v for i, v in enumerate(values) if i not in hidden)
    solutions = []
    for guess in itertools.product(range(total + 1), repeat=len(hidden)):
        if known + sum(guess) != total:
            continue
        candidate = list(values)
        for i, g in zip(hidden, guess, strict=True):
            candidate[i] = g
        if groups is not None:
            ok = all(
                group_totals[name] is None or sum(candidate[i] for i in members) == group_totals[name]
                for name, members in groups.items()
            )
            if not ok:
                continue
        solutions.append(tuple(candidate[i] for i in hidden))
    return {i for n, i in enumerate(hidden) if len({s[n] for s in solutions}) == 1}


def test_a_lone_withheld_district_is_not_its_area_minus_the_others():
    districts = ("地区1", "地区2", "地区3", "地区4")
    values = [3, 20, 8, 30]
    parents = ("地域A", "地域A", "地域B", "地域B")
    district_table = _one_way("district", districts, values, "district", parents=parents, parent_dim="area")
    area_table = _one_way("area", ("地域A", "地域B"), [23, 38], "area")
    alone = publish(district_table)
    assert _hidden_one_way(alone) == {"地区1", "地区3"}  # and the areas 23 and 38 are published: 3 = 23 − 20
    district_pub, area_pub = publish_all([district_table, area_table])
    hidden = {i for i, row in enumerate(district_pub.cells) if row[0] is None}
    area_totals = {label: row[0] for label, row in zip(area_pub.table.rows, area_pub.cells, strict=True)}
    groups = {"地域A": [0, 1], "地域B": [2, 3]}
    assert _brute_force_determined(values, hidden, sum(values), groups, area_totals) == set()


@pytest.fixture
def secretariat(reference):
    return make_user("r13-sec", "ward-seikatsu-fukushi", Role.SECRETARIAT)


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_pages_publish_a_sections_tables_together(secretariat, monkeypatch):
    monkeypatch.setattr(compose, "section_tables", lambda section, period, scope, as_of: [AGE10, AGE10_DURATION])
    response = client_for(secretariat).get(reverse("reports:section", args=["survey"]))
    assert response.status_code == 200
    one_way, cross = response.context["built"].tables
    hidden_one_way = {row.label for row in one_way.rows if not row.is_total and row.cells[0].withheld}
    hidden_totals = {row.label for row in cross.rows if not row.is_total and row.cells[-1].withheld}
    assert hidden_one_way == hidden_totals


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["²", "¹²", "①", "٣", "１"])
def test_a_scope_with_a_non_ascii_digit_is_not_found(secretariat, raw):
    """``str.isdigit`` takes ² and ① for digits and ``int`` refuses them (a 500): ASCII digits only."""
    Area.objects.get_or_create(pk=1, defaults={"name": "テスト地域", "order": 99})
    client = client_for(secretariat)
    for kind in ("area", "district", "agency"):
        response = client.get(reverse("reports:section", args=["survey"]), {"scope": f"{kind}-{raw}"})
        assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [("9999-01-01", "9999-12-31"), ("2027-04-01", "2028-03-31")])
def test_a_period_not_yet_begun_is_refused_on_the_field(secretariat, monkeypatch, start, end):
    """9999-12-31 made the end instant overflow (a 500); a period after today has no figures."""
    monkeypatch.setattr(compose, "section_tables", lambda section, period, scope, as_of: [AGE10])
    response = client_for(secretariat).get(reverse("reports:section", args=["survey"]), {"start": start, "end": end})
    assert response.status_code == 200
    built = response.context["built"]
    assert "start" in built.form.errors
    assert (built.period.start, built.period.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
