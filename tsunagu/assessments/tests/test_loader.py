"""Loading instruments: validated whole, versioned, never changing assessments already made."""

import copy
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from tsunagu.assessments.models import Instrument
from tsunagu.assessments.services import current_instrument

SHIPPED = Path(__file__).resolve().parents[1] / "instruments" / "tsunagu-standard-v1.yaml"


@pytest.mark.django_db
def test_the_shipped_sheets_are_loaded_once_however_often_the_command_runs(reference):
    before = Instrument.objects.count()
    call_command("load_instruments", verbosity=0)
    assert Instrument.objects.count() == before == 2
    person, family = current_instrument("person"), current_instrument("family")
    assert (person.code, person.version, family.code) == ("tsunagu-standard", 1, "tsunagu-family")
    items = [i["id"] for s in person.definition["sections"] for i in s["items"]]
    assert {"going_out", "axis_withdrawal_stage", "axis_group", "support_stage"} <= set(items)


@pytest.mark.django_db
def test_a_malformed_file_loads_nothing_and_says_why(reference, tmp_path):
    good = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    good2 = copy.deepcopy(good) | {"code": "other-sheet"}
    bad = copy.deepcopy(good) | {"code": "broken", "target": "robot"}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(good2, allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    before = Instrument.objects.count()
    with pytest.raises(CommandError, match="何も読み込みませんでした") as refused:
        call_command("load_instruments", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), verbosity=0)
    assert "target は person か family" in str(refused.value)
    assert Instrument.objects.count() == before


@pytest.mark.django_db
def test_unreadable_yaml_is_refused(reference, tmp_path):
    (tmp_path / "x.yaml").write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="読み込めません"):
        call_command("load_instruments", str(tmp_path / "x.yaml"), verbosity=0)


@pytest.mark.django_db
def test_changing_a_loaded_version_is_refused_a_new_version_replaces_it(reference, tmp_path, world, lead_worker):
    from tsunagu.assessments.services import assessment_create

    old = current_instrument("person")
    made, _ = assessment_create(
        user=lead_worker,
        case=world.case,
        person=world.person,
        instrument=old,
        assessed_on=world.case.opened_at.date(),
        answers={"going_out": "7"},
        status="draft",
        key=None,
    )
    changed = copy.deepcopy(old.definition)
    changed["name"] = "別の名前"
    (tmp_path / "same.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="版を上げてください"):
        call_command("load_instruments", str(tmp_path / "same.yaml"), verbosity=0)
    changed["version"] = 2
    (tmp_path / "v2.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    call_command("load_instruments", str(tmp_path / "v2.yaml"), verbosity=0)
    assert current_instrument("person").version == 2
    made.refresh_from_db()
    assert made.instrument == old
    assert made.instrument.definition["name"] == "標準アセスメントシート（本人）"
