"""The P8 benchmark command runs end to end on a tiny file and leaves nothing behind."""

import io

import pytest
from django.core.management import call_command

from tsunagu.audit.models import AccessEvent
from tsunagu.imports.models import ImportBatch
from tsunagu.people.models import Person


@pytest.mark.django_db
def test_the_import_benchmark_runs_tiny_and_rolls_back(reference):
    out = io.StringIO()
    call_command("bench_import", rows=30, stdout=out)
    text = out.getvalue()
    assert "dry run" in text and "import" in text and "rows/s" in text and "load average" in text
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert AccessEvent.objects.count() == 0
