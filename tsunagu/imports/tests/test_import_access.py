"""Who may import (docs/access.md, decision 0038) and files that are refused before parsing."""

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Role
from tsunagu.audit.models import SecurityEvent
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.imports.models import ImportBatch, Kind, Status
from tsunagu.imports.tests.helpers import ledger, upload, ward_importer, workbook
from tsunagu.people.models import Person
from tsunagu.records.models import ProgressRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def post_file(client, kind, content, name="ledger.xlsx"):
    return client.post(reverse("imports:index"), {"kind": kind, "file": upload(content, name)})


@pytest.mark.parametrize("persona", ["desk", "lead_worker", "outsider", "secretariat", "partner", "admin_user"])
def test_roles_that_do_not_import_get_403_on_the_list_and_404_on_a_batch(users, persona):
    importer = ward_importer()
    batch_client = client_for(importer)
    post_file(batch_client, Kind.PERSONS, ledger(Kind.PERSONS, [{"household_ref": "H-1", "family_name": "見本"}]))
    batch = ImportBatch.objects.get()
    client = client_for(users[persona])
    assert client.get(reverse("imports:index")).status_code == 403
    assert client.get(reverse("imports:template") + "?kind=persons").status_code == 403
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:problems", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:progress", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:discard", args=[batch.pk])).status_code == 404
    assert SecurityEvent.objects.filter(url_name__startswith="imports:").exists()
    page = client.get(reverse("work:home")).content.decode()
    assert reverse("imports:index") not in page


def test_a_supervisor_of_another_agency_imports_only_records_of_their_cases(users, world):
    supervisor = make_user("merkmal_supervisor", "merkmal", Role.SUPERVISOR)
    client = client_for(supervisor)
    page = client.get(reverse("imports:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="records"' in body and 'value="persons"' not in body
    assert reverse("imports:index") in client.get(reverse("work:home")).content.decode()
    assert client.get(reverse("imports:template") + "?kind=persons").status_code == 404
    refused = post_file(client, Kind.PERSONS, ledger(Kind.PERSONS, [{"household_ref": "H-1", "family_name": "見本"}]))
    assert refused.status_code == 400 and ImportBatch.objects.count() == 0
    rows = [
        {
            "case_ref": f"K-{world.case.pk:06d}",
            "occurred_on": "R7.5.1",
            "method": "電話",
            "reached": "はい",
            "summary": "話せた。",
        },
        {
            "case_ref": f"K-{world.other_case.pk:06d}",
            "occurred_on": "R7.5.1",
            "method": "電話",
            "reached": "はい",
            "summary": "話せた。",
        },
    ]
    post_file(client, Kind.RECORDS, ledger(Kind.RECORDS, rows))
    batch = ImportBatch.objects.get()
    # world.other_case is led by the central desk: not this agency's, reported like a missing one.
    assert [(p.line, p.column) for p in batch.problems.all()] == [(3, "ケース番号")]
    post_file(client, Kind.RECORDS, ledger(Kind.RECORDS, rows[:1]))
    mine = ImportBatch.objects.latest("pk")
    assert mine.status == Status.VALID
    before = ProgressRecord.objects.count()
    client.post(reverse("imports:run", args=[mine.pk]))
    assert ProgressRecord.objects.count() == before + 1
    # The ward importer sees the agency's batch; the agency's supervisor does not see the ward's.
    ward = client_for(ward_importer())
    assert ward.get(reverse("imports:batch", args=[mine.pk])).status_code == 200
    post_file(ward, Kind.PERSONS, ledger(Kind.PERSONS, [{"household_ref": "H-1", "family_name": "見本"}]))
    ward_batch = ImportBatch.objects.latest("pk")
    assert client.get(reverse("imports:batch", args=[ward_batch.pk])).status_code == 404


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,birth\n", "Excelのファイル（.xlsx）ではありません。"),
        (
            _zip({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (11 * 1024 * 1024)}),
            "展開すると大きすぎます",
        ),
        (
            _zip({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"<broken"}),
            "Excelのファイルとして読めません",
        ),
        (workbook([], []), "1行目に見出しがありません"),
    ],
    ids=["csv", "zip-bomb", "broken", "no-headings"],
)
def test_hostile_or_broken_files_are_refused_before_anything_is_kept(reference, content, message):
    client = client_for(ward_importer())
    response = post_file(client, Kind.PERSONS, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_file_that_is_not_xlsx_by_name_or_too_large_is_refused(reference, settings):
    client = client_for(ward_importer())
    response = post_file(client, Kind.PERSONS, ledger(Kind.PERSONS, []), name="ledger.csv")
    assert response.status_code == 400
    assert "Excelのファイル（.xlsx）を選んでください。" in response.content.decode()


def test_a_file_with_more_rows_than_the_limit_fails_and_writes_nothing(reference, settings):
    settings.IMPORTS_MAX_ROWS = 2
    client = client_for(ward_importer())
    rows = [{"household_ref": f"H-{i}", "family_name": f"見本{i}"} for i in range(3)]
    post_file(client, Kind.PERSONS, ledger(Kind.PERSONS, rows))
    batch = ImportBatch.objects.get()
    assert batch.status == Status.FAILED
    assert "行が多すぎます" in batch.failure
    assert Person.objects.count() == 0


def test_formulas_are_read_as_their_stored_values_never_evaluated(reference):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["世帯番号", "姓", "名"])
    sheet.append(["H-1", '=HYPERLINK("http://example.invalid","見本")', "一"])
    out = io.BytesIO()
    book.save(out)
    client = client_for(ward_importer())
    post_file(client, Kind.PERSONS, out.getvalue())
    batch = ImportBatch.objects.get()
    # openpyxl stores no computed value: the formula reads as empty, so the person has only a given name.
    assert batch.status == Status.VALID
    client.post(reverse("imports:run", args=[batch.pk]))
    person = Person.objects.get()
    assert person.family_name == "" and person.given_name == "一"


def _declaring(declaration: bytes, entity: bytes):
    """A change of a sheet's XML: the declaration after the XML declaration, the entity reference
    in place of the first inline or shared string's text."""

    def change(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>")
        return head + sep + declaration + rest.replace("見本".encode(), entity, 1)

    return change


@pytest.mark.parametrize(
    ("member", "declaration", "entity"),
    [
        # Billion laughs: an entity that expands into gigabytes.
        (
            "xl/sharedStrings.xml",
            b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
            b"&lol2;",
        ),
        # An external entity (XXE) reading a local file.
        ("xl/sharedStrings.xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"),
        ("xl/worksheets/sheet1.xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b""),
    ],
    ids=["entity-expansion", "external-entity", "doctype-in-sheet"],
)
def test_xml_declarations_in_a_workbook_are_refused_or_never_expanded(reference, member, declaration, entity):
    content = _shared_ledger([{"household_ref": "H-1", "family_name": "見本", "given_name": "一郎"}])
    content = _with_member(content, member, _declaring(declaration, entity))
    assert declaration in zipfile.ZipFile(io.BytesIO(content)).read(member)
    client = client_for(ward_importer())
    response = post_file(client, Kind.PERSONS, content)
    page = response.content.decode()
    assert "root:" not in page and "lollol" not in page
    batch = ImportBatch.objects.first()
    if response.status_code == 400:
        assert "Excelのファイルとして読めません" in page
        assert batch is None
    else:  # read without the declarations: no entity expanded, nothing from the local file
        assert batch is not None
        names = " ".join(str(problem.reason) for problem in batch.problems.all())
        assert "root:" not in names and "lollol" not in names


def test_a_sheet_is_read_with_strings_numbers_dates_and_booleans():
    from tsunagu.imports.reading import read_headings, read_rows

    book = __import__("openpyxl").Workbook()
    sheet = book.active
    sheet.append(["世帯番号", "生年月日", "電話番号", "支援の対象者"])
    sheet.append(["H-1", dt.datetime(1990, 5, 10), 312345678, True])
    sheet.append([None, None, None, None])
    sheet.append(["H-2", "平成2年5月10日", 3.5, False])
    out = io.BytesIO()
    book.save(out)
    assert read_headings(out.getvalue()) == ["世帯番号", "生年月日", "電話番号", "支援の対象者"]
    assert list(read_rows(out.getvalue())) == [
        (2, ("H-1", dt.date(1990, 5, 10), 312345678, True)),
        (4, ("H-2", "平成2年5月10日", 3.5, False)),
    ]


def _shared_ledger(rows: list[dict]) -> bytes:
    """A 世帯と人 ledger as Excel writes it: text in the shared strings (openpyxl writes inline
    strings), by XlsxWriter."""
    import xlsxwriter

    from tsunagu.imports.kinds import COLUMNS

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    columns = COLUMNS[Kind.PERSONS]
    sheet.write_row(0, 0, [c.heading for c in columns])
    for number, row in enumerate(rows, start=1):
        for index, column in enumerate(columns):
            if row.get(column.key) is not None:
                sheet.write_string(number, index, row[column.key])
    book.close()
    return out.getvalue()


def _with_member(content: bytes, name: str, change) -> bytes:
    """The workbook with one of its XML members changed by ``change`` (bytes -> bytes)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members[name] = change(members[name])
    return _zip(members)


def test_the_furigana_excel_keeps_beside_a_name_is_not_part_of_it():
    from tsunagu.imports.reading import read_rows

    content = _shared_ledger([{"household_ref": "H-1", "family_name": "見本", "given_name": "一郎"}])
    # Japanese Excel keeps the reading of a typed name as a phonetic run beside the shared string.
    content = _with_member(
        content,
        "xl/sharedStrings.xml",
        lambda xml: xml.replace(
            "<t>見本</t>".encode(), '<r><t>見本</t></r><rPh sb="0" eb="2"><t>ミホン</t></rPh>'.encode()
        ),
    )
    assert b"rPh" in zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml")
    [(line, values)] = list(read_rows(content))
    assert line == 2
    assert "見本" in values and "ミホン" not in str(values)
