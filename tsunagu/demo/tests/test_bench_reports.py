"""The statistics benchmark (docs/quality.md P4) runs at a tiny scale and prints its figures; no
budget is asserted (a timed test would flake on a busy machine)."""

import io

import pytest
import time_machine
from django.core.management import call_command


@time_machine.travel("2026-11-29 10:00 +0900", tick=False)
@pytest.mark.django_db
def test_the_statistics_benchmark_prints_every_scope_and_section(world):
    out = io.StringIO()
    call_command("bench_reports", runs=1, stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0].startswith("machine: ")
    assert "period 2026-04-01..2027-03-31, as of 2026-11-29" in lines[1]
    scopes = [line for line in lines if line.endswith(" tables")]
    assert [line.split()[0] for line in scopes] == ["ward:", "area", "agency"]
    for section in ("desk", "cases", "referrals", "network", "survey"):
        assert f"  {section} " in text
    assert "P4 ≤ 2 s" in text and ("P4 met" in text or "P4 NOT met" in text)
