"""Optimistic locking (R2) and one record per submission (R3) at the service level."""

import threading
import uuid

import pytest
from django.db import connection

from tsunagu.core.services import ConflictError, create_once, save_versioned
from tsunagu.people.models import Household
from tsunagu.people.tests.factories import household_make


@pytest.mark.django_db
def test_a_save_with_the_current_version_raises_it(reference):
    household = household_make(label="版のテスト")
    saved = save_versioned(obj=household, expected_version=1, user=None, fields={"address": "一丁目"})
    assert (saved.version, saved.address) == (2, "一丁目")


@pytest.mark.django_db
def test_a_save_with_a_stale_version_is_refused_and_changes_nothing(reference):
    household = household_make(label="版のテスト")
    save_versioned(obj=household, expected_version=1, user=None, fields={"address": "一丁目"})
    with pytest.raises(ConflictError) as conflict:
        save_versioned(obj=household, expected_version=1, user=None, fields={"address": "二丁目"})
    assert conflict.value.current.address == "一丁目"
    household.refresh_from_db()
    assert (household.version, household.address) == (2, "一丁目")


@pytest.mark.django_db
def test_the_same_key_creates_once(reference):
    key = uuid.uuid4()
    first, created_first = create_once(key=key, user=None, create=lambda: household_make(label="一度だけ"))
    second, created_second = create_once(key=key, user=None, create=lambda: household_make(label="一度だけ"))
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Household.objects.filter(label="一度だけ").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_give_one_success_and_one_conflict(reference):
    household = household_make(label="同時編集")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(address: str) -> None:
        try:
            barrier.wait(timeout=10)
            save_versioned(
                obj=Household.objects.get(pk=household.pk), expected_version=1, user=None, fields={"address": address}
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(a,)) for a in ("一丁目", "二丁目")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    household.refresh_from_db()
    assert household.version == 2
