"""Load a municipality's reference configuration (idempotent: run it as often as you like)."""

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.agencies.models import Agency, Area, District, PostalCode, RoutingRule
from tsunagu.agencies.signals import age_limits_changed

DEFAULT = Path(__file__).resolve().parents[2] / "reference" / "setagaya.yaml"
AGENCY_FIELDS = (
    "name",
    "public_name",
    "kind",
    "age_min",
    "age_max",
    "specialties",
    "phone",
    "address",
    "hours",
    "is_central_desk",
    "is_public",
    "public_description",
    "to_confirm",
)


class Command(BaseCommand):
    help = "参照データ（地域・地区・郵便番号・支援機関・振り分けルール）を読み込みます。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    @transaction.atomic
    def handle(self, *args, path: str, **options):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"参照データを読めません: {exc}") from exc
        districts: dict[str, District] = {}
        for a_order, area_data in enumerate(data["areas"]):
            area, _ = Area.objects.update_or_create(
                code=area_data["code"], defaults={"name": area_data["name"], "order": a_order}
            )
            for d_order, (code, name) in enumerate(area_data["districts"]):
                district, _ = District.objects.update_or_create(
                    code=code, defaults={"name": name, "area": area, "order": d_order}
                )
                districts[code] = district
            self._agency(data["area_agency"], area=area, area_name=area.name)
        for code, district in districts.items():
            self._agency(data["district_agency"], district=district, area=district.area, district_code=code)
        for code, town, district_code in data.get("postal_codes", []):
            PostalCode.objects.update_or_create(
                code=str(code), defaults={"town": town, "district": districts[district_code]}
            )
        age_limits = dict(Agency.objects.values_list("code", "age_max"))
        changed = []
        for agency_data in data["agencies"]:
            agency, created = Agency.objects.update_or_create(
                code=agency_data["code"], defaults={k: agency_data[k] for k in AGENCY_FIELDS if k in agency_data}
            )
            if not created and agency.age_max != age_limits[agency.code]:
                changed.append(agency.pk)
        if changed:  # the cases these agencies lead age out on another day (decision 0024)
            age_limits_changed.send(sender=Agency, agency_ids=changed)
        for rule_data in data["routing_rules"]:
            rule, _ = RoutingRule.objects.update_or_create(
                code=rule_data["code"],
                defaults={
                    "name": rule_data["name"],
                    "description": rule_data.get("description", ""),
                    "condition": rule_data["condition"],
                    "threshold": rule_data.get("threshold"),
                    "team_role": rule_data["team_role"],
                    "scope": rule_data["scope"],
                    "target_kinds": rule_data.get("kinds", ""),
                    "priority": rule_data.get("priority", 100),
                },
            )
            rule.target_agencies.set(Agency.objects.filter(code__in=rule_data.get("agencies", [])))
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"参照データを読み込みました：地域 {Area.objects.count()}、地区 {District.objects.count()}、"
            f"支援機関 {Agency.objects.count()}、郵便番号 {PostalCode.objects.count()}、"
            f"振り分けルール {RoutingRule.objects.count()}"
        )

    def _agency(
        self,
        pattern: dict[str, Any],
        *,
        area: Area,
        area_name: str = "",
        district: District | None = None,
        district_code: str = "",
    ) -> Agency:
        names = {
            "area": area.code,
            "area_name": area_name or area.name,
            "district": district_code,
            "district_name": district.name if district else "",
        }
        defaults = {
            "name": pattern["name"].format(**names),
            "kind": pattern["kind"],
            "area": area,
            "district": district,
            "age_min": pattern.get("age_min"),
            "to_confirm": pattern.get("to_confirm", False),
        }
        agency, _ = Agency.objects.update_or_create(code=pattern["code"].format(**names), defaults=defaults)
        return agency
