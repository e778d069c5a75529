"""The export benchmark (docs/quality.md P4) runs, at a tiny scale, and leaves nothing behind."""

import io

import pytest
from django.core.management import call_command

from tsunagu.audit.models import AccessEvent


@pytest.mark.django_db
def test_the_export_benchmark_prints_its_figures_at_a_tiny_scale(world):
    before = AccessEvent.objects.count()
    out = io.StringIO()
    call_command("bench_export", rows=[1, 2, 5], stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("machine: ")
    assert lines[1].startswith("cases: 2;")
    assert lines[2].startswith("load average: ")
    assert [line.split()[:2] for line in lines[4:8]] == [["csv", "1"], ["xlsx", "1"], ["csv", "2"], ["xlsx", "2"]]
    assert "<= 10 s" in lines[5]
    assert lines[8] == "(skipped 5 rows: the database has 2 cases)"
    assert AccessEvent.objects.count() == before  # rolled back
