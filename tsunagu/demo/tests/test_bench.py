"""The person-search benchmark runs and prints its figure next to the budget (PostgreSQL only)."""

import pytest
from django.core.management import call_command

from tsunagu.people.models import Person, PersonNameKey


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_benchmark_fills_a_population_and_prints_p95_against_the_budget(reference, capsys):
    call_command("bench_person_search", persons=300, repeat=1)
    out = capsys.readouterr().out
    assert Person.objects.count() == 300
    assert PersonNameKey.objects.filter(person__in=Person.objects.all()).count() == 300 * 6
    assert "P1 person search: p50" in out
    assert "budget p95 <= 50 ms" in out


@pytest.mark.django_db
def test_the_benchmark_refuses_sqlite(reference):
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite refusal")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_person_search", persons=10)
