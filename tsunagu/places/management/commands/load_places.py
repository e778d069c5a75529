"""Load a municipality's places, programmes and family associations (idempotent, by code).

After ``load_reference``: the agencies, areas and districts are named by their codes."""

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.agencies.models import Agency, Area, District
from tsunagu.places.models import Place

DEFAULT = Path(__file__).resolve().parents[2] / "reference" / "setagaya-places.yaml"
FIELDS = (
    "name",
    "kind",
    "organiser",
    "description",
    "audience",
    "age_min",
    "age_max",
    "address",
    "schedule",
    "capacity",
    "joining",
    "accessibility",
    "contact",
    "is_public",
    "active",
)


def _by_code(model: Any, code: str | None, what: str) -> Any:
    if code is None:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"{what}のコード {code} がありません（先に load_reference を実行してください）")
    return found


class Command(BaseCommand):
    help = "参照データの居場所・プログラム・家族会を読み込みます（コードで照合、何度でも実行可）。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    @transaction.atomic
    def handle(self, *args, path: str, **options):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"参照データを読めません: {exc}") from exc
        created = 0
        for entry in data.get("places", []):
            values = {name: entry[name] for name in FIELDS if name in entry}
            values["agency"] = _by_code(Agency, entry["agency"], "機関")
            values["area"] = _by_code(Area, entry.get("area"), "地域")
            values["district"] = _by_code(District, entry.get("district"), "地区")
            place = Place.objects.filter(code=entry["code"]).first() or Place(code=entry["code"])
            for name, value in values.items():
                setattr(place, name, value)
            try:
                place.full_clean(exclude=["created_by", "updated_by"])
            except ValidationError as exc:
                raise CommandError(f"{entry['code']}: {exc}") from exc
            created += place.pk is None
            place.save()
        self.stdout.write(f"places: {len(data.get('places', []))} ({created} new)")
