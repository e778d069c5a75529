"""Exports of lists with personal data (issue 13 item 5): the case list and a meeting's cases,
as CSV and Excel, only what the user may see, recorded as exports with the persons' ids."""

import csv
import datetime as dt
import io
import math

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, CaseStatus, SharingBasis
from tsunagu.cases.services import case_open
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.services import decision_add, meeting_add_case, meeting_create
from tsunagu.people.models import Person
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.reports import list_exports

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # 10:00 in Tokyo
HEADERS = [
    "ケース番号",
    "世帯",
    "地区",
    "状態",
    "主担当機関",
    "主担当者",
    "開始日（和暦）",
    "開始日",
    "最後に会えた日",
    "次の対応の予定日",
]
MEETING_HEADERS = [*HEADERS[:2], "支援の対象者", *HEADERS[2:], "決定事項の数"]
HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+1+2", "-3-4", "@SUM(A1:A2)"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == list_exports.XLSX_TYPE
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def xlsx_rows(response):
    return [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def get(persona_user, name, kwargs=None, **params):
    return client_for(persona_user).get(reverse(name, kwargs=kwargs), params)


def more_cases(users, count, *, lead="merkmal", status=None):
    """``count`` more cases led by ``lead``, each with a household of two persons."""
    cases = []
    for i in range(count):
        household = household_make(label=f"テスト世帯{i:02d}", district_code="ikejiri")
        person_make(household, family_name="試験", given_name=f"花子{i}", is_concerned=True)
        person_make(household, family_name="試験", given_name=f"母{i}")
        case = case_open(
            user=users["desk"],
            household=household,
            lead=Agency.objects.get(code=lead),
            sharing_basis=SharingBasis.CONSENT,
        )
        cases.append(case)
    if status:
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(status=status)
    return cases


def listed(user, **params):
    """The case numbers of the list page (every page) for ``user``."""
    numbers = []
    response = client_for(user).get(reverse("cases:list"), params)
    numbers += [case.number for case in response.context["rows"]]
    assert not response.context["page"].next_url  # the populations below fit on a page
    return numbers


# --- the case list -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "lead_worker", "supervisor", "outsider"])
def test_the_case_list_exports_exactly_the_rows_of_the_list_page(world, users, persona):
    more_cases(users, 3)
    more_cases(users, 2, lead="link")
    user = users[persona]
    expected = listed(user)
    csv_numbers = [row[0] for row in csv_rows(get(user, "reports:cases_csv"))[1:]]
    xlsx_numbers = [row[0] for row in xlsx_rows(get(user, "reports:cases_xlsx"))[2:]]
    assert csv_numbers == xlsx_numbers == expected
    assert len(expected) == {"desk": 7, "lead_worker": 4, "supervisor": 4, "outsider": 0}[persona]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"status": "all"},
        {"district": "seijo", "status": "all"},
        {"sort": "number"},
        {"sort": "last_contact"},
        {"sort": "quiet"},
        {"sort": "next_action"},
        {"overdue": "on"},
    ],
)
def test_the_case_list_export_takes_the_filters_and_the_order_of_the_list_page(world, users, params):
    cases = more_cases(users, 4)
    more_cases(users, 2, status=CaseStatus.CLOSED)
    for i, case in enumerate(cases):  # some days, some gaps (nullable sort keys)
        Case.objects.filter(pk=case.pk).update(
            last_contact_on=dt.date(2026, 11, 1 + i) if i % 2 else None,
            next_action_on=dt.date(2026, 11, 20 + i) if i != 1 else None,
        )
    desk = users["desk"]
    expected = listed(desk, **params)
    assert [row[0] for row in csv_rows(get(desk, "reports:cases_csv", **params))[1:]] == expected
    assert [row[0] for row in xlsx_rows(get(desk, "reports:cases_xlsx", **params))[2:]] == expected


@pytest.mark.django_db
def test_the_csv_shows_the_list_pages_values(world, users):
    (case,) = more_cases(users, 1)
    Case.objects.filter(pk=case.pk).update(
        lead_worker=users["lead_worker"], last_contact_on=dt.date(2026, 11, 2), next_action_on=dt.date(2026, 11, 30)
    )
    rows = csv_rows(get(users["lead_worker"], "reports:cases_csv", sort="number"))
    assert rows[0] == HEADERS
    worker = users["lead_worker"]
    assert rows[-1] == [
        case.number,
        "テスト世帯00",
        "池尻",
        "支援中" if case.status == CaseStatus.ACTIVE else str(case.get_status_display()),
        "メルクマールせたがや",
        f"{worker.last_name} {worker.first_name}".strip() or worker.username,
        "令和8年11月24日",
        "2026-11-24",
        "2026-11-02",
        "2026-11-30",
    ]
    # The desk reads メルクマール's cases in summary: no next action; its own in full.
    Case.objects.filter(pk=world.other_case.pk).update(next_action_on=dt.date(2026, 12, 1))
    desk_rows = {row[0]: row for row in csv_rows(get(users["desk"], "reports:cases_csv"))[1:]}
    assert desk_rows[case.number][-1] == ""
    assert desk_rows[world.other_case.number][-1] == "2026-12-01"


@pytest.mark.django_db
def test_the_excel_has_a_title_bold_headers_and_real_dates(world, users):
    (case,) = more_cases(users, 1)
    Case.objects.filter(pk=case.pk).update(last_contact_on=dt.date(2026, 11, 2))
    sheet = xlsx_sheet(get(users["supervisor"], "reports:cases_xlsx", sort="number"))
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    title = rows[0][0]
    assert "支援ケースの一覧" in title
    assert "令和8年11月24日 10:00" in title
    assert "出力者" in title
    assert rows[1] == HEADERS
    assert all(cell.font.bold for cell in sheet[2])
    last = rows[-1]
    assert last[0] == case.number
    assert last[6] == "令和8年11月24日"
    assert last[7] == dt.datetime(2026, 11, 24)  # openpyxl reads a date cell back as a datetime
    assert sheet.cell(row=len(rows), column=8).is_date
    assert last[8] == dt.datetime(2026, 11, 2)
    assert sheet.cell(row=len(rows), column=9).is_date
    assert last[9] is None


@pytest.mark.django_db
def test_an_export_is_recorded_with_every_case_and_person(world, users):
    cases = more_cases(users, 3)
    ids = sorted([world.case.pk, *(c.pk for c in cases)])
    persons = sorted(Person.objects.filter(household__cases__in=ids).values_list("pk", flat=True).distinct())
    for name in ("reports:cases_csv", "reports:cases_xlsx"):
        before = AccessEvent.objects.count()
        response = get(users["lead_worker"], name)
        b"".join(response.streaming_content)
        (event,) = AccessEvent.objects.order_by("pk")[before:]
        assert event.action == "export"
        assert event.object_type == "case"
        assert event.object_ids == ids
        assert event.person_ids == persons
        assert event.user == users["lead_worker"]
        assert event.path == reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_list_is_read_in_keyset_steps_each_recorded_before_its_rows(world, users, monkeypatch, fmt):
    monkeypatch.setattr(list_exports, "EVENT_ROWS", 4)
    cases = more_cases(users, 9)
    for i, case in enumerate(cases):  # ties and gaps in the order's key
        Case.objects.filter(pk=case.pk).update(last_contact_on=dt.date(2026, 11, 1 + i // 3) if i % 4 else None)
    desk = users["desk"]
    expected = listed(desk, sort="last_contact")
    before = AccessEvent.objects.count()
    response = get(desk, f"reports:cases_{fmt}", sort="last_contact")
    exported = [r[0] for r in csv_rows(response)[1:]] if fmt == "csv" else [r[0] for r in xlsx_rows(response)[2:]]
    assert exported == expected
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert len(events) == math.ceil(len(expected) / 4)
    recorded = [pk for event in events for pk in event.object_ids]
    assert sorted(f"K-{pk:06d}" for pk in recorded) == sorted(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_number_of_queries_does_not_grow_with_the_rows(world, users, fmt):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = get(users["desk"], f"reports:cases_{fmt}")
            b"".join(response.streaming_content)
        return len(captured)

    few = queries()
    more_cases(users, 12)
    assert queries() == few


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["secretariat", "partner", "admin_user"])
def test_roles_without_a_case_list_cannot_export_it(world, users, persona):
    for name in ("reports:cases_csv", "reports:cases_xlsx"):
        assert get(users[persona], name).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(world):
    for name, kwargs in [
        ("reports:cases_csv", None),
        ("reports:cases_xlsx", None),
        ("reports:meeting_cases_csv", {"pk": 1}),
        ("reports:meeting_cases_xlsx", {"pk": 1}),
    ]:
        response = client_for(None).get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")


# --- hostile names -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_name_that_looks_like_a_formula_stays_text(world, users):
    desk = users["desk"]
    households = []
    for text in HOSTILE:
        household = household_make(label=text[:60], district_code="ikejiri")
        person_make(household, family_name=text[:40], is_concerned=True)
        households.append(household)
        case = case_open(
            user=desk, household=household, lead=Agency.objects.get(code="merkmal"), sharing_basis=SharingBasis.CONSENT
        )
    rows = csv_rows(get(users["lead_worker"], "reports:cases_csv", sort="number"))
    labels = [row[1] for row in rows[1:] if row[1] != "池尻の山田さん宅"]
    assert labels == ["'" + text[:60] for text in HOSTILE]
    sheet = xlsx_sheet(get(users["lead_worker"], "reports:cases_xlsx", sort="number"))
    cells = [row[1] for row in sheet.iter_rows(min_row=3) if row[1].value != "池尻の山田さん宅"]
    assert [c.value for c in cells] == ["'" + text[:60] for text in HOSTILE]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str))
    # The meeting's export names the persons: the same rule.
    meeting = _meeting(users, [case])
    rows = csv_rows(get(users["lead_worker"], "reports:meeting_cases_csv", {"pk": meeting.pk}))
    assert rows[1][2] == "'" + HOSTILE[-1][:40]


def test_safe_text_follows_owasp():
    assert [list_exports.safe_text(t) for t in ("=1", "+1", "-1", "@a", "\t=1", "\r=1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\t=1",
        "'\r=1",
    ]
    assert list_exports.safe_text("山田 =1") == "山田 =1"
    assert list_exports.safe_text("—") == "—"


# --- a meeting's cases ---------------------------------------------------------------------------


def _meeting(users, cases, *, agencies=("anshin-kyodo",)):
    meeting, _created = meeting_create(
        user=users["lead_worker"],
        organiser=Agency.objects.get(code="merkmal"),
        kind="support_art9",
        title="支援会議（11月）",
        held_at=NOW,
        place="",
        agencies=[Agency.objects.get(code=code) for code in agencies],
    )
    for case in cases:
        meeting_add_case(user=users["lead_worker"], meeting=meeting, case=case)
    return meeting


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["lead_worker", "supervisor", "outsider"])
def test_a_meetings_export_has_the_cases_of_its_page(world, users, persona):
    """lead_worker organises; outsider's agency (あんしん協働) attends: the 第9条 meeting shares
    the case's summary with it."""
    meeting = _meeting(users, [world.case])
    decision_add(user=users["lead_worker"], meeting=meeting, text="訪問する", case=world.case, owner=None, due_on=None)
    decision_add(user=users["lead_worker"], meeting=meeting, text="連絡する", case=world.case, owner=None, due_on=None)
    Case.objects.filter(pk=world.case.pk).update(next_action_on=dt.date(2026, 12, 1))
    user = users[persona]
    page = client_for(user).get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert [s.case.number for s in page.context["summaries"]] == [world.case.number]
    rows = csv_rows(get(user, "reports:meeting_cases_csv", {"pk": meeting.pk}))
    assert rows[0] == MEETING_HEADERS
    assert [row[0] for row in rows[1:]] == [world.case.number]
    row = rows[1]
    assert row[1] == "池尻の山田さん宅"
    assert row[2] == "山田 太郎"
    assert row[-1] == "2"
    # The next action's day only for those who read the case in full (not the attending agency).
    assert row[-2] == ("" if persona == "outsider" else "2026-12-01")
    xrows = xlsx_rows(get(user, "reports:meeting_cases_xlsx", {"pk": meeting.pk}))
    assert "支援会議（11月）" in xrows[0][0]
    assert xrows[1] == MEETING_HEADERS
    assert xrows[2][0] == world.case.number
    assert xrows[2][-1] == 2 and isinstance(xrows[2][-1], int)


@pytest.mark.django_db
def test_a_meetings_export_is_recorded_with_the_meeting_basis(world, users):
    meeting = _meeting(users, [world.case])
    before = AccessEvent.objects.count()
    b"".join(get(users["outsider"], "reports:meeting_cases_xlsx", {"pk": meeting.pk}).streaming_content)
    (event,) = AccessEvent.objects.order_by("pk")[before:]
    assert event.action == "export"
    assert event.object_ids == [world.case.pk]
    assert event.person_ids == sorted(world.household.members.values_list("pk", flat=True))
    assert event.basis == "meeting"
    assert event.reason == f"meeting {meeting.pk} (meeting_art9)"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["reports:meeting_cases_csv", "reports:meeting_cases_xlsx"])
def test_a_meeting_the_user_cannot_see_answers_404_like_a_missing_one(world, users, name):
    meeting = _meeting(users, [world.case], agencies=())
    for persona in ("outsider", "desk", "partner", "admin_user"):
        client = client_for(users[persona])
        hidden = client.get(reverse(name, kwargs={"pk": meeting.pk}))
        missing = client.get(reverse(name, kwargs={"pk": 999999}))
        assert hidden.status_code == missing.status_code == 404, persona
        assert hidden.content == missing.content
    assert not AccessEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_after_the_sharing_window_the_meetings_export_is_empty_as_its_page(world, users):
    meeting = _meeting(users, [world.case])
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        rows = csv_rows(get(users["outsider"], "reports:meeting_cases_csv", {"pk": meeting.pk}))
    assert rows == [MEETING_HEADERS]
