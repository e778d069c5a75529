from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    verbose_name = _("支援ケース")

    def ready(self) -> None:
        from tsunagu.cases.grants import DeskGrant, EmergencyGrant, TeamGrant, grant_register

        for grant in (TeamGrant(), EmergencyGrant(), DeskGrant()):
            grant_register(grant)

        # The households seen through cases, given to people, which may not import cases.
        from tsunagu.cases.people_grants import CasesPersonGrant, household_cases
        from tsunagu.people.grants import household_cases_register, person_grant_register

        person_grant_register(CasesPersonGrant())
        household_cases_register(household_cases)

        # The day a household's concerned person ages out, kept when people change its persons.
        from tsunagu.cases.work_state import persons_changed_refresh
        from tsunagu.people.signals import persons_changed

        persons_changed.connect(persons_changed_refresh, dispatch_uid="cases.ages_out")

        # And when an agency's age limit changes outside the admin (the reference data).
        from tsunagu.agencies.signals import age_limits_changed
        from tsunagu.cases.work_state import age_limits_changed_refresh

        age_limits_changed.connect(age_limits_changed_refresh, dispatch_uid="cases.ages_out_limits")
