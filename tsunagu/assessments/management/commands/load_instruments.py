"""Load instrument definitions from YAML (validated whole; a malformed file loads nothing)."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.assessments.definition import DefinitionError, validate
from tsunagu.assessments.services import instrument_load

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "instruments"


class Command(BaseCommand):
    help = "アセスメント様式（YAML）を読み込みます。同じ版は何度読み込んでも変わりません。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="YAMLファイル（省略時は同梱の標準様式）")

    def handle(self, *args, paths: list[str], **options):
        files = [Path(p) for p in paths] or sorted(DEFAULT_DIR.glob("*.yaml"))
        definitions = []
        for path in files:
            try:
                definitions.append((path, yaml.safe_load(path.read_text(encoding="utf-8"))))
            except (OSError, yaml.YAMLError) as exc:
                raise CommandError(f"{path.name}: 読み込めません: {exc}") from exc
        problems = []
        for path, definition in definitions:
            try:
                validate(definition)
            except DefinitionError as exc:
                problems += [f"{path.name}: {problem}" for problem in exc.problems]
        try:
            if problems:
                raise DefinitionError(problems)
            with transaction.atomic():  # all files or none
                results = [(path, instrument_load(definition=d)) for path, d in definitions]
        except DefinitionError as exc:
            raise CommandError("様式に誤りがあるため、何も読み込みませんでした。\n" + "\n".join(exc.problems)) from exc
        if options["verbosity"]:
            for path, (instrument, created) in results:
                state = "読み込みました" if created else "変更なし"
                self.stdout.write(f"{path.name}: {instrument}（{state}）")
