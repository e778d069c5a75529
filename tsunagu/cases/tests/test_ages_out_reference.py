"""The reference configuration may change an agency's age limit (``load_reference`` is run again
after the YAML is edited): the day each case it leads ages out follows, as after the admin."""

import pytest
import yaml
from django.core.management import call_command

from tsunagu.agencies.management.commands.load_reference import DEFAULT
from tsunagu.cases.models import Case, CaseAgency
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person


@pytest.mark.django_db
def test_a_new_age_limit_from_the_reference_moves_the_age_out_day(world, tmp_path):
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        if agency["code"] == "merkmal":
            agency["age_max"] = 34
    path = tmp_path / "reference.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    birth = Person.objects.get(household=world.case.household, is_concerned=True).birth_date
    assert Case.objects.get(pk=world.case.pk).ages_out_on == add_years(birth, 40)

    call_command("load_reference", str(path), verbosity=0)

    assert Case.objects.get(pk=world.case.pk).ages_out_on == add_years(birth, 35)
    team = CaseAgency.objects.filter(case=world.case, until__isnull=True)
    assert set(team.values_list("ages_out_on", flat=True)) == {add_years(birth, 35)}
