"""A 居場所 worker records a session with two anonymous young people and one named person from a
case; the case's caseworker sees the visit on the case's timeline (issue 12)."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD, make_user
from tsunagu.people.models import Person
from tsunagu.places.models import AnonymousCount, NamedAttendance
from tsunagu.places.tests.factories import place_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_session_with_anonymous_and_named_attendance_reaches_the_case_timeline(new_page, world, users):
    place_make("merkmal", name="ほっとスペース")
    make_user("ibasho_staff", "merkmal", "caseworker", last_name="居場所", first_name="担当")
    persons = Person.objects.count()
    worker = new_page()
    login(worker, "ibasho_staff", PASSWORD)
    worker.get_by_role("link", name="居場所・プログラム").click()
    assert axe_violations(worker) == []
    worker.get_by_role("link", name="ほっとスペース").click()
    worker.get_by_role("link", name="開催回を記録する").click()
    assert axe_violations(worker) == []
    worker.get_by_role("button", name="記録する").click()
    expect(worker.locator("h1")).to_contain_text("ほっとスペース")
    worker.get_by_label("本人 10代 男性").fill("1")
    worker.get_by_label("本人 20代 女性").fill("1")
    worker.get_by_role("button", name="人数を保存する").click()
    expect(worker.locator("#counts + p + table tfoot")).to_contain_text("2")
    worker.get_by_label("名前（漢字・カナ）").fill("やまだ")
    worker.get_by_role("button", name="さがす").click()
    worker.get_by_role("button", name="山田 太郎さんを参加者に加える").click()
    expect(worker.locator("#named ~ table").first).to_contain_text("ケースの経過に記録")
    assert axe_violations(worker) == []
    assert sum(AnonymousCount.objects.values_list("count", flat=True)) == 2
    assert NamedAttendance.objects.get().person == world.person
    assert Person.objects.count() == persons

    caseworker = new_page()
    login(caseworker, "lead_worker", PASSWORD)
    caseworker.goto(f"/staff/cases/{world.case.pk}/")
    expect(caseworker.locator("body")).to_contain_text("ほっとスペース（居場所）に参加")
    assert axe_violations(caseworker) == []
