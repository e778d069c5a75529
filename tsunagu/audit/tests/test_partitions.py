"""Issue 10 item 4: the access trail is partitioned by month on PostgreSQL (decision 0019).

The job creates the partitions of the coming months ahead of time; an event at the turn of a
month lands in its month; an event whose month has no partition is caught by the DEFAULT
partition and moved to its month by the next run, with nothing lost; and every partition refuses
UPDATE and DELETE, also when addressed directly.
"""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from tsunagu.audit import partitions
from tsunagu.audit.models import AccessEvent
from tsunagu.audit.services import access_record

pytestmark = pytest.mark.dates

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def partition_of(event: AccessEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_accessevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def existing(names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s)", [names])
        return {row[0] for row in cursor.fetchall()}


def event() -> AccessEvent:
    return access_record(user=None, action="view", object_type="case", object_ids=[1], case_id=1, basis="team")


def run_job(**options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_partitions", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_months_and_their_bounds_are_in_the_project_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    assert partitions.partition_name("audit_accessevent", dt.date(2027, 6, 1)) == "audit_accessevent_y2027m06"
    assert partitions.boundary(dt.date(2027, 6, 1)) == "2027-06-01T00:00:00+09:00"
    assert partitions.next_month(dt.date(2027, 12, 1)) == dt.date(2028, 1, 1)
    assert partitions.next_month(dt.date(2028, 1, 1)) == dt.date(2028, 2, 1)


@pytest.mark.django_db
def test_the_job_does_nothing_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert run_job() == ("", "")
    assert partitions.ensure_partitions(connection).created == []


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_job_creates_the_coming_months_ahead_of_time_once():
    months = ["audit_accessevent_y2031m05", "audit_accessevent_y2031m06", "audit_accessevent_y2031m07"]
    with time_machine.travel(dt.datetime(2031, 5, 14, 10, 0, tzinfo=TOKYO), tick=False):
        assert existing([*months, "audit_accessevent_y2031m08", "audit_accessevent_y2031m09"]) == set()
        out, err = run_job()
        assert existing([*months, "audit_accessevent_y2031m08", "audit_accessevent_y2031m09"]) == {
            *months,
            "audit_accessevent_y2031m08",
        }
        assert "audit_accessevent_y2031m08" in out and not err
        # Idempotent: a second run (the daily timer) creates nothing.
        assert run_job() == ("", "")
    # A month later the timer adds the next month.
    with time_machine.travel(dt.datetime(2031, 6, 1, 0, 5, tzinfo=TOKYO), tick=False):
        out, _err = run_job()
        assert out.strip() == "Created partitions: audit_accessevent_y2031m09"


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_an_event_at_the_turn_of_a_month_lands_in_its_month():
    last_instant = dt.datetime(2031, 5, 31, 23, 59, 59, 999999, tzinfo=TOKYO)
    with time_machine.travel(dt.datetime(2031, 5, 20, 9, 0, tzinfo=TOKYO), tick=False):
        run_job()
    with time_machine.travel(last_instant, tick=False):
        may = event()
    with time_machine.travel(last_instant + dt.timedelta(microseconds=1), tick=False):
        june = event()
    assert partition_of(may) == "audit_accessevent_y2031m05"
    assert partition_of(june) == "audit_accessevent_y2031m06"
    assert AccessEvent.objects.get(pk=june.pk).at == dt.datetime(2031, 6, 1, tzinfo=TOKYO)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_an_event_whose_month_has_no_partition_is_kept_and_moved_to_its_month():
    """The timer did not run: the DEFAULT partition takes the event (the read is not refused),
    and the next run moves it into the month's new partition, with its id and time."""
    with time_machine.travel(dt.datetime(2032, 3, 10, 12, 0, tzinfo=TOKYO), tick=False):
        caught = event()
        assert partition_of(caught) == "audit_accessevent_default"
        before = AccessEvent.objects.count()
        out, err = run_job()
    assert "1 access events had no month partition" in err
    assert "audit_accessevent_y2032m03" in out
    assert partition_of(caught) == "audit_accessevent_y2032m03"
    assert AccessEvent.objects.count() == before
    moved = AccessEvent.objects.get(pk=caught.pk)
    assert (moved.at, moved.case_id, moved.basis) == (caught.at, 1, "team")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accessevent_default")
        assert cursor.fetchone()[0] == 0
    # The new DEFAULT partition and the moved-to month are append-only like the others.
    assert set(partitions.partitions_of(connection.cursor(), "audit_accessevent")) >= {
        "audit_accessevent_default",
        "audit_accessevent_y2032m03",
    }


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("statement", ["UPDATE {p} SET reason = 'tampered'", "DELETE FROM {p}"])
def test_every_partition_refuses_update_and_delete_when_addressed_directly(statement):
    with time_machine.travel(dt.datetime(2032, 3, 10, 12, 0, tzinfo=TOKYO), tick=False):
        in_default = event()
        run_job()  # moves it to 2032-03
        in_default_again = event()  # 2032-03 now exists: this one lands there directly
    with time_machine.travel(dt.datetime(2040, 1, 1, tzinfo=TOKYO), tick=False):
        caught = event()  # and this one in the new DEFAULT partition
    names = {partition_of(e) for e in (in_default, in_default_again, caught)}
    assert names == {"audit_accessevent_y2032m03", "audit_accessevent_default"}
    with connection.cursor() as cursor:
        for name in sorted(names):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement.format(p=f'"{name}"'))
        # A row trigger fires on rows: every partition, empty or not, carries the parent's.
        cursor.execute(
            "SELECT count(*) FROM pg_inherits i LEFT JOIN pg_trigger t ON t.tgrelid = i.inhrelid"
            " AND t.tgname = 'audit_accessevent_no_update_delete' AND t.tgenabled = 'O'"
            " WHERE i.inhparent = 'audit_accessevent'::regclass AND t.oid IS NULL"
        )
        assert cursor.fetchone()[0] == 0
    assert not AccessEvent.objects.filter(reason="tampered").exists()
    assert AccessEvent.objects.filter(pk__in=[in_default.pk, in_default_again.pk, caught.pk]).count() == 3


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_indexes_exist_on_every_partition():
    with connection.cursor() as cursor:
        names = partitions.partitions_of(cursor, "audit_accessevent")
        cursor.execute(
            "SELECT c.relname, count(*) FILTER (WHERE pg_get_indexdef(i.indexrelid) LIKE %s),"
            " count(*) FILTER (WHERE pg_get_indexdef(i.indexrelid) LIKE %s)"
            " FROM pg_class c JOIN pg_index i ON i.indrelid = c.oid WHERE c.relname = ANY(%s) GROUP BY 1",
            ["%(case_id, action, user_id, basis, at) INCLUDE (id)%", "%gin (person_ids jsonb_path_ops)%", names],
        )
        found = {name: (reader, gin) for name, reader, gin in cursor.fetchall()}
    assert "audit_accessevent_default" in names and len(names) >= 5
    assert found == dict.fromkeys(names, (1, 1))
