"""Importing the ward's Excel ledgers (issue 14 item 1): all or nothing (R5), every bad row
reported with its line and column, the person form's duplicate rule, undo, access events."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent, Action
from tsunagu.cases.models import Case, CaseAgency, TimelineEntry
from tsunagu.core.tests.personas import client_for
from tsunagu.imports.models import ImportBatch, ImportedObject, Kind, Status
from tsunagu.imports.tests.helpers import ledger, upload, ward_importer, workbook
from tsunagu.intake.models import Consultation
from tsunagu.people.models import Household, Person, PersonNameKey
from tsunagu.people.services import PersonData, person_create, person_update
from tsunagu.records.models import ProgressRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """Dates are checked against today (no future birth dates): a fixed day."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


P = Kind.PERSONS


def person_row(n: int, **extra):
    row = {
        "household_ref": f"H-{n:04d}",
        "person_ref": f"P-{n:04d}",
        "household_label": f"見本{n}さん宅",
        "district": "池尻",
        "family_name": "見本",
        "given_name": f"太郎{n}",
        "family_name_kana": "ミホン",
        "given_name_kana": f"タロウ{'ア' * (n % 7)}{'イ' * (n // 7)}",
        "sex": "男性",
        "birth_date": "平成2年5月10日",
        "relation": "息子",
        "is_concerned": "はい",
    }
    row.update(extra)
    return row


def post_file(client, kind: str, content: bytes, name: str = "ledger.xlsx"):
    return client.post(reverse("imports:index"), {"kind": kind, "file": upload(content, name)})


def last_batch() -> ImportBatch:
    return ImportBatch.objects.latest("pk")


@pytest.fixture
def importer(reference):
    return ward_importer()


@pytest.fixture
def client(importer):
    return client_for(importer)


def problems(batch: ImportBatch) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in batch.problems.all()]


def test_a_file_with_one_bad_last_row_writes_nothing_and_reports_that_row(client):
    rows = [person_row(1), person_row(2), person_row(3, family_name_kana="Mihon")]
    response = post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert response.status_code == 302
    assert batch.status == Status.INVALID
    assert problems(batch) == [(4, "セイ")]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    page = client.get(reverse("imports:batch", args=[batch.pk]))
    assert "フリガナはカタカナまたはひらがなで入力してください。" in page.content.decode()
    # Confirming anyway starts nothing.
    client.post(reverse("imports:run", args=[batch.pk]))
    assert Person.objects.count() == 0
    assert last_batch().status == Status.INVALID


def test_the_import_checks_the_whole_file_again_and_writes_nothing_when_a_row_went_bad(client, importer):
    batch_response = post_file(client, P, ledger(P, [person_row(1), person_row(2)]))
    assert batch_response.status_code == 302
    batch = last_batch()
    assert batch.status == Status.VALID
    # Between the dry run and the import, somebody registers the second person by hand.
    household = Household.objects.create(label="別の世帯")
    person_create(
        user=importer,
        household=household,
        data=PersonData(family_name="見本", given_name="太郎2", birth_date=dt.date(1990, 5, 10)),
    )
    client.post(reverse("imports:run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.INVALID
    assert problems(batch) == [(3, "別人として登録")]
    assert Person.objects.count() == 1


BAD_VALUES = [
    ("birth_date", "令和7年2月30日", "生年月日", "2025年2月30日という日付はありません。"),
    ("birth_date", "2030/1/1", "生年月日", "未来の日付は入力できません。"),
    ("birth_date", "きのう", "生年月日", "日付は「令和7年4月1日」"),
    ("family_name_kana", "Yamada", "セイ", "フリガナはカタカナ"),
    ("district", "架空町", "地区", "地区「架空町」は登録されていません。"),
    ("sex", "不詳かも", "性別", "選べる値ではありません"),
    ("is_concerned", "たぶん", "支援の対象者", "「はい」か「いいえ」"),
    ("phone", "電話なし", "電話番号", "電話番号は数字とハイフン"),
    ("postal_code", "12345", "郵便番号", "郵便番号は7桁"),
    ("household_ref", None, "世帯番号", "必須の項目です"),
    ("family_name", "見本\u202e", "姓", "使えない文字"),
    ("given_name", "太" * 41, "名", "40文字以内"),
    ("withdrawal_since", "大正20年ごろ", "ひきこもり状態になった時期", "期間外"),
]


@pytest.mark.parametrize(
    ("key", "value", "column", "message"), BAD_VALUES, ids=[b[0] + "-" + str(i) for i, b in enumerate(BAD_VALUES)]
)
def test_every_kind_of_bad_value_is_reported_with_its_line_and_column(client, key, value, column, message):
    rows = [person_row(1), person_row(2, **{key: value}), person_row(3)]
    post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert batch.status == Status.INVALID
    found = list(batch.problems.values_list("line", "column", "message"))
    assert [(line, col) for line, col, _m in found] == [(3, column)]
    assert message in found[0][2]
    assert Person.objects.count() == 0


def test_several_bad_rows_are_all_reported_in_one_check(client):
    rows = [
        person_row(1, birth_date="平成2年13月1日"),
        person_row(2),
        person_row(3, district="どこか", family_name_kana="abc"),
        person_row(
            4,
            family_name="",
            given_name="",
            family_name_kana="",
            given_name_kana="",
            label="",
            birth_date="",
            relation="",
        ),
    ]
    post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert problems(batch) == [(2, "生年月日"), (4, "地区"), (4, "セイ"), (5, "")]
    assert batch.problem_count == 4


def test_unknown_agencies_and_households_are_reported_in_a_case_ledger(client):
    post_file(client, P, ledger(P, [person_row(1)]))
    client.post(reverse("imports:run", args=[last_batch().pk]))
    cases = [
        {
            "ref": "C-1",
            "household_ref": "H-0001",
            "lead": "架空の支援センター",
            "sharing_basis": "同意",
            "opened_on": "R7.4.1",
        },
        {"ref": "C-2", "household_ref": "H-9999", "lead": "merkmal", "sharing_basis": "同意", "opened_on": "R7.4.1"},
        {
            "ref": "C-3",
            "household_ref": "H-0001",
            "lead": "merkmal",
            "sharing_basis": "同意",
            "opened_on": "R7.4.1",
            "status": "終結",
        },
    ]
    post_file(client, Kind.CASES, ledger(Kind.CASES, cases))
    batch = last_batch()
    assert problems(batch) == [(2, "主担当機関"), (3, "世帯番号"), (4, "終結日"), (4, "終結の理由")]
    assert Case.objects.count() == 0


def test_wareki_and_western_dates_are_both_accepted(client):
    forms = ["平成2年5月10日", "H2.5.10", "h2/5/10", "1990/5/10", "1990-05-10", "19900510", dt.datetime(1990, 5, 10)]
    rows = [person_row(i + 1, given_name=f"名{i}", given_name_kana=f"メイ{'ア' * i}") for i, _f in enumerate(forms)]
    for row, value in zip(rows, forms, strict=True):
        row["birth_date"] = value
        row["family_name"] = f"姓{row['household_ref']}"
        row["family_name_kana"] = "セイ" + "ウ" * len(row["household_ref"] + str(value))
    post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert batch.status == Status.VALID, problems(batch)
    client.post(reverse("imports:run", args=[batch.pk]))
    assert set(Person.objects.values_list("birth_date", flat=True)) == {dt.date(1990, 5, 10)}
    assert Person.objects.count() == len(forms)


def test_a_person_like_an_existing_one_is_reported_unless_confirmed_different(client, world):
    # world.person: 山田 太郎, ヤマダ タロウ, born 1990-05-10.
    same = person_row(1, family_name="山田", given_name="太郎", family_name_kana="やまだ", given_name_kana="たろう")
    post_file(client, P, ledger(P, [person_row(2), same]))
    batch = last_batch()
    assert problems(batch) == [(3, "別人として登録")]
    assert "似た人がすでに登録されています（1人）" in batch.problems.get().message
    # The check is an audited search of persons, as on the person form.
    search = AccessEvent.objects.filter(action=Action.SEARCH, object_type="person").latest("pk")
    assert search.person_ids == [world.person.pk]
    # Another birth date tells them apart; so does the confirmation.
    other_birth = dict(same, birth_date="1991-01-01")
    confirmed = dict(same, household_ref="H-0003", person_ref="P-0003", not_duplicate="はい")
    client.post(reverse("imports:reupload", args=[batch.pk]), {"file": upload(ledger(P, [other_birth, confirmed]))})
    assert last_batch().status == Status.VALID


def test_two_rows_of_the_file_that_look_alike_are_reported(client):
    rows = [person_row(1), person_row(2, given_name="太郎1", given_name_kana="タロウア")]
    post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert problems(batch) == [(3, "別人として登録")]
    assert "2行目の人と似ています" in batch.problems.get().message


def test_imported_people_are_in_the_access_trail(client, importer):
    post_file(
        client,
        P,
        ledger(
            P,
            [
                person_row(1),
                person_row(
                    2, household_ref="H-0001", household_label="", district="", relation="母", is_concerned="いいえ"
                ),
            ],
        ),
    )
    client.post(reverse("imports:run", args=[last_batch().pk]))
    batch = last_batch()
    assert batch.status == Status.IMPORTED and batch.rows_written == 2
    ids = sorted(Person.objects.values_list("pk", flat=True))
    assert len(ids) == 2 and Household.objects.count() == 1
    created = AccessEvent.objects.filter(action=Action.CREATE, object_type="person", user=importer)
    assert [e.person_ids for e in created] == [ids]
    assert created.get().reason == f"import #{batch.pk}"
    household_event = AccessEvent.objects.get(action=Action.CREATE, object_type="household")
    assert household_event.person_ids == ids
    # Found by the search keys and name keys the person services write.
    person = Person.objects.get(pk=ImportedObject.objects.get(model="people.person", ref="P-0001").object_id)
    assert person.key_kana == "ミホンタロウア"
    assert set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True)) >= {
        "見本",
        "ミホン",
        "ミホンタロウア",
    }
    assert batch.content is None and len(batch.sha256) == 64


def test_the_four_ledgers_import_in_turn_and_the_case_has_its_work_state(client, importer):
    post_file(
        client,
        P,
        ledger(
            P,
            [
                person_row(1),
                person_row(
                    2,
                    household_ref="H-0001",
                    household_label="",
                    district="",
                    relation="母",
                    is_concerned="いいえ",
                    given_name="花子",
                    given_name_kana="ハナコ",
                    birth_date="昭和35年1月1日",
                ),
            ],
        ),
    )
    client.post(reverse("imports:run", args=[last_batch().pk]))
    consultations = [
        {
            "ref": "R-1",
            "received_on": "令和7年4月1日",
            "received_time": "10:30",
            "channel": "電話",
            "contact_type": "家族",
            "contact_relation": "母",
            "concerns": "ひきこもり・不登校、家族関係",
            "main_concern": "ひきこもり・不登校",
            "summary": "息子が部屋から出てこない。",
            "household_ref": "H-0001",
        },
    ]
    post_file(client, Kind.CONSULTATIONS, ledger(Kind.CONSULTATIONS, consultations))
    assert last_batch().status == Status.VALID, problems(last_batch())
    client.post(reverse("imports:run", args=[last_batch().pk]))
    consultation = Consultation.objects.get()
    assert consultation.triaged_at is not None and consultation.household.label == "見本1さん宅"
    assert consultation.concerns == ["withdrawal", "family"]
    cases = [
        {
            "ref": "C-1",
            "household_ref": "H-0001",
            "lead": "メルクマールせたがや",
            "partners": "ぷらっとホーム世田谷",
            "sharing_basis": "本人（または家族）の同意",
            "opened_on": "R7.4.10",
            "status": "支援中",
        }
    ]
    post_file(client, Kind.CASES, ledger(Kind.CASES, cases))
    assert last_batch().status == Status.VALID, problems(last_batch())
    client.post(reverse("imports:run", args=[last_batch().pk]))
    case = Case.objects.get()
    assert case.lead().agency.code == "merkmal"
    assert CaseAgency.objects.filter(case=case).count() == 2
    assert case.stalled_on is not None
    records = [
        {
            "case_ref": "C-1",
            "occurred_on": "令和7年4月15日",
            "method": "訪問",
            "reached": "いいえ",
            "summary": "応答なし。",
        },
        {
            "case_ref": "C-1",
            "occurred_on": "2025/5/1",
            "method": "電話",
            "reached": "はい",
            "summary": "母親と話せた。",
            "next_action": "再訪問",
            "next_action_on": "R7.5.15",
            "persons": "P-0001",
        },
        {
            "case_ref": f"K-{case.pk:06d}",
            "occurred_on": "2025/5/2",
            "method": "電話",
            "reached": "はい",
            "summary": "本人と話せた。",
        },
    ]
    post_file(client, Kind.RECORDS, ledger(Kind.RECORDS, records))
    assert last_batch().status == Status.VALID, problems(last_batch())
    client.post(reverse("imports:run", args=[last_batch().pk]))
    case.refresh_from_db()
    assert ProgressRecord.objects.count() == 3
    assert case.last_contact_on == dt.date(2025, 5, 2)
    assert TimelineEntry.objects.filter(case=case, kind="record").count() == 3
    son = Person.objects.get(given_name="太郎1")
    assert all(list(r.persons.all()) == [son] for r in ProgressRecord.objects.all())
    record_event = AccessEvent.objects.filter(action=Action.CREATE, object_type="record").get()
    assert record_event.case_id == case.pk and record_event.person_ids == [son.pk]


def test_headings_that_differ_are_mapped_by_the_user(client):
    content = workbook(
        ["世帯No", "氏名（姓）", "氏名（名）", "生年月日（和暦）", "備考"],
        [["H-1", "見本", "一", "平成2年5月10日", "メモ"]],
    )
    post_file(client, P, content)
    batch = last_batch()
    assert batch.status == Status.MAPPING
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "見出しの対応づけ" in page
    response = client.post(
        reverse("imports:mapping", args=[batch.pk]),
        {"household_ref": "0", "family_name": "1", "given_name": "2", "birth_date": "3"},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.VALID, problems(batch)
    client.post(reverse("imports:run", args=[batch.pk]))
    assert Person.objects.get().full_name == "見本 一"


def test_a_mapping_without_a_required_column_is_refused(client):
    post_file(client, P, workbook(["氏名（姓）"], [["見本"]]))
    batch = last_batch()
    response = client.post(reverse("imports:mapping", args=[batch.pk]), {"family_name": "0"})
    assert response.status_code == 400
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.MAPPING


def test_confirming_twice_imports_once_and_the_same_file_is_not_taken_again(client):
    content = ledger(P, [person_row(1)])
    post_file(client, P, content)
    batch = last_batch()
    client.post(reverse("imports:run", args=[batch.pk]))
    client.post(reverse("imports:run", args=[batch.pk]))
    assert Person.objects.count() == 1
    response = post_file(client, P, content)
    assert response.status_code == 400
    assert "このファイルは取り込み済みです" in response.content.decode()
    assert ImportBatch.objects.count() == 1


def test_an_import_is_undone_as_a_whole(client, importer):
    post_file(client, P, ledger(P, [person_row(1), person_row(2)]))
    batch = last_batch()
    client.post(reverse("imports:run", args=[batch.pk]))
    assert Person.objects.count() == 2
    response = client.post(reverse("imports:undo", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.UNDONE and batch.undone_by == importer
    assert Person.objects.count() == 0 and Household.objects.count() == 0 and PersonNameKey.objects.count() == 0
    assert AccessEvent.objects.filter(action=Action.UPDATE, reason=f"undo import #{batch.pk}").exists()
    # Undone: the same file may be imported again, and its ledger numbers are free.
    post_file(client, P, ledger(P, [person_row(1), person_row(2)]))
    assert last_batch().status == Status.VALID


def test_undoing_cases_and_records_restores_the_work_state(client):
    post_file(client, P, ledger(P, [person_row(1)]))
    client.post(reverse("imports:run", args=[last_batch().pk]))
    post_file(
        client,
        Kind.CASES,
        ledger(
            Kind.CASES,
            [
                {
                    "ref": "C-1",
                    "household_ref": "H-0001",
                    "lead": "merkmal",
                    "sharing_basis": "同意",
                    "opened_on": "R7.4.10",
                }
            ],
        ),
    )
    cases_batch = last_batch()
    client.post(reverse("imports:run", args=[cases_batch.pk]))
    post_file(
        client,
        Kind.RECORDS,
        ledger(
            Kind.RECORDS,
            [{"case_ref": "C-1", "occurred_on": "R7.5.1", "method": "電話", "reached": "はい", "summary": "話せた。"}],
        ),
    )
    records_batch = last_batch()
    client.post(reverse("imports:run", args=[records_batch.pk]))
    assert Case.objects.get().last_contact_on == dt.date(2025, 5, 1)
    # The cases cannot be undone while records stand on them; the records can.
    refused = client.post(reverse("imports:undo", args=[cases_batch.pk]))
    assert refused.status_code == 409
    assert "取り消せません" in refused.content.decode()
    assert client.post(reverse("imports:undo", args=[records_batch.pk])).status_code == 302
    assert Case.objects.get().last_contact_on is None
    assert client.post(reverse("imports:undo", args=[cases_batch.pk])).status_code == 302
    assert Case.objects.count() == 0 and CaseAgency.objects.count() == 0 and TimelineEntry.objects.count() == 0


def test_undo_is_refused_when_something_was_added_or_changed_on_top(client, importer):
    post_file(client, P, ledger(P, [person_row(1), person_row(2)]))
    batch = last_batch()
    client.post(reverse("imports:run", args=[batch.pk]))
    household = Household.objects.get(label="見本1さん宅")
    added = person_create(user=importer, household=household, data=PersonData(label="相談者の母"))
    response = client.post(reverse("imports:undo", args=[batch.pk]))
    assert response.status_code == 409
    assert Person.objects.count() == 3
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.IMPORTED
    added.delete()
    person = Person.objects.get(given_name="太郎2")
    person_update(user=importer, person=person, expected_version=1, data=PersonData.of(person))
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 409
    assert Person.objects.count() == 2


def test_the_progress_fragment_reports_rows_and_reloads_the_page_when_done(client):
    from tsunagu.imports.services import progress_set

    post_file(client, P, ledger(P, [person_row(1)]))
    batch = last_batch()
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.IMPORTING, rows_total=4)
    progress_set(batch.pk, "import", 3)
    running = client.get(reverse("imports:progress", args=[batch.pk]))
    assert running.status_code == 200
    assert "HX-Refresh" not in running
    body = running.content.decode()
    assert 'hx-trigger="every 2s"' in body and "3 / 4 行" in body and 'value="3"' in body
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.VALID)
    done = client.get(reverse("imports:progress", args=[batch.pk]))
    assert done["HX-Refresh"] == "true"


def test_the_template_has_headings_an_example_and_the_allowed_values(client):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(reverse("imports:template") + "?kind=persons")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    data, allowed = book.worksheets[0], book.worksheets[1]
    headings = [c.value for c in data[1]]
    assert headings[:3] == ["世帯番号", "人番号", "世帯の呼び名"]
    assert data[2][0].value == "A-0001"
    lists = {
        allowed.cell(row=1, column=i).value: [c.value for c in col[1:] if c.value]
        for i, col in enumerate(allowed.iter_cols(), start=1)
    }
    assert "男性" in lists["性別"] and "池尻" in lists["地区"]
    # The template as downloaded: its example row is not imported.
    post_file(client, P, response.content, "template.xlsx")
    assert problems(last_batch()) == [(2, "")]


@pytest.mark.parametrize("kind", [Kind.CONSULTATIONS, Kind.CASES, Kind.RECORDS])
def test_every_template_downloads(client, kind):
    response = client.get(reverse("imports:template") + f"?kind={kind}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="tsunagu-template-{kind}.xlsx"'


def test_the_raw_inserts_write_every_column_of_households_and_persons():
    """The person import writes its rows column by column (write.py): a column added to the models
    must be added there too, or the import would leave it to a default the database lacks."""
    from tsunagu.imports.write import HOUSEHOLD_COLUMNS, PERSON_COLUMNS

    for model, columns in ((Household, HOUSEHOLD_COLUMNS), (Person, PERSON_COLUMNS)):
        expected = {f.column for f in model._meta.concrete_fields if not f.primary_key}
        assert set(columns) == expected, model


def test_every_bad_row_of_a_long_file_is_in_the_problems_download(client):
    from io import BytesIO

    from openpyxl import load_workbook

    rows = [{"household_ref": f"H-{i}", "label": f"呼び名{i}", "birth_date": "令和9年13月1日"} for i in range(1, 1_206)]
    post_file(client, P, ledger(P, rows))
    batch = last_batch()
    assert batch.problem_count == 1_205
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "ほかに205件あります" in page
    response = client.get(reverse("imports:problems", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 1_205
    assert lines[0][:2] == (2, "生年月日") and lines[-1][:2] == (1_206, "生年月日")
    assert Person.objects.count() == 0


CONSULTATION = {"received_on": "R7.4.1", "channel": "電話", "contact_type": "家族", "summary": "相談の概要。"}
BAD_CONSULTATIONS = [
    ("received_time", "25:00", "受付時刻", "時刻は「14:30」"),
    ("channel", "伝書鳩", "相談の方法", "選べる値ではありません"),
    ("contact_agency", "架空の相談所", "相談元の機関", "機関「架空の相談所」は登録されていません。"),
    ("main_concern", "債務", "主な相談内容", "主な相談内容は、相談内容に書いた項目から選んでください。"),
    ("household_ref", "H-404", "世帯番号", "取り込まれていません"),
    ("summary", "", "相談の概要", "必須の項目です"),
    ("contact_phone", "abc", "相談者の電話番号", "電話番号は数字とハイフン"),
]


@pytest.mark.parametrize(
    ("key", "value", "column", "message"), BAD_CONSULTATIONS, ids=[b[0] for b in BAD_CONSULTATIONS]
)
def test_bad_values_of_a_consultation_ledger_are_reported_with_line_and_column(client, key, value, column, message):
    rows = [dict(CONSULTATION), dict(CONSULTATION, concerns="ひきこもり・不登校", **{key: value})]
    post_file(client, Kind.CONSULTATIONS, ledger(Kind.CONSULTATIONS, rows))
    batch = last_batch()
    found = list(batch.problems.values_list("line", "column", "message"))
    assert [(line, col) for line, col, _m in found] == [(3, column)]
    assert message in found[0][2]
    assert Consultation.objects.count() == 0


def test_bad_values_of_a_record_ledger_are_reported_with_line_and_column(client, world):
    case = f"K-{world.case.pk:06d}"
    good = {"case_ref": case, "occurred_on": "R7.5.1", "method": "電話", "reached": "はい", "summary": "話せた。"}
    rows = [
        good,
        dict(good, reached="たぶん"),
        dict(good, method="テレパシー"),
        dict(good, occurred_on="令和99年1月1日"),
        dict(good, persons="P-404"),
        dict(good, case_ref="C-404"),
    ]
    post_file(client, Kind.RECORDS, ledger(Kind.RECORDS, rows))
    batch = last_batch()
    assert problems(batch) == [(3, "会えた"), (4, "方法"), (5, "日付"), (6, "対象者"), (7, "ケース番号")]
    assert ProgressRecord.objects.count() == 1  # world.record only
