"""Workbooks for the import tests, made in memory (invented data only)."""

import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tsunagu.agencies.models import Membership, Role
from tsunagu.core.tests.personas import make_user
from tsunagu.imports.kinds import COLUMNS


def workbook(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger(kind: str, rows: Sequence[dict[str, Any]]) -> bytes:
    """A file with the template's headings and rows given as {column key: value}."""
    columns = COLUMNS[kind]
    return workbook([c.heading for c in columns], [[row.get(c.key) for c in columns] for row in rows])


def upload(content: bytes, name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def ward_importer():
    """A supervisor of the central desk (ぷらっとホーム世田谷): imports every ledger."""
    user = make_user("desk_supervisor", "link", Role.SUPERVISOR)
    return user


def add_role(user, agency_code: str, role: str) -> None:
    from tsunagu.agencies.models import Agency

    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency_code), role=role)
