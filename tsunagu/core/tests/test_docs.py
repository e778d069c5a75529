"""The developer docs stand on their own: the code cites files that are in the repository.

Design notes outside the repository were once cited by name; these tests keep them from coming
back and check that every `docs/….md` a file cites exists, with the section or bar it names.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("tsunagu", "docs", "scripts", ".ci", "README.md", "pyproject.toml")
SKIPPED_DIRS = {"__pycache__", "node_modules", ".venv", "static", "locale"}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".toml", ".cfg", ".ini", ".sh", ""}

# Spelled in pieces so that this file does not cite them itself.
ABSENT = tuple(name + ".md" for name in ("PRODUCT", "QUALITY", "DOMAIN", "STYLE"))
CITATION = re.compile(r"docs/[\w./-]+?\.md(?:\s+(§\d+|[SRP]\d+))?")


def scanned_files() -> list[Path]:
    files = []
    for entry in SCANNED:
        path = ROOT / entry
        candidates = [path] if path.is_file() else path.rglob("*")
        for file in candidates:
            if not file.is_file() or SKIPPED_DIRS & set(file.relative_to(ROOT).parts):
                continue
            if file.suffix in TEXT_SUFFIXES:
                files.append(file)
    return files


def test_the_scan_covers_code_tests_and_docs():
    names = {file.relative_to(ROOT).as_posix() for file in scanned_files()}
    assert {"README.md", "tsunagu/cases/access.py", "tsunagu/conftest.py", "docs/access.md"} <= names
    assert "tsunagu/core/tests/test_docs.py" in names


def test_no_file_cites_design_notes_that_are_not_in_the_repository():
    found = [
        f"{file.relative_to(ROOT)}:{number}"
        for file in scanned_files()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in line for name in ABSENT)
    ]
    assert found == [], f"cite docs/access.md, quality.md, domain.md or style.md instead: {found}"


def test_every_cited_doc_exists_with_the_section_it_names():
    missing = []
    cited = 0
    for file in scanned_files():
        for match in CITATION.finditer(file.read_text(encoding="utf-8")):
            cited += 1
            target = ROOT / match.group(0).split()[0]
            where = f"{file.relative_to(ROOT)}: {match.group(0)}"
            if not target.is_file():
                missing.append(where)
                continue
            section = match.group(1)
            if section is None:
                continue
            text = target.read_text(encoding="utf-8")
            heading = f"## {section} " if section.startswith("§") else f"| {section} |"
            if heading not in text:
                missing.append(where)
    assert cited > 30
    assert missing == []
