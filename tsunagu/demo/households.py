"""Demo households and consultations: a household per consultation (a parent and the person of
concern, some only described), its consultation at the desk and the triage; and the fresh
consultations still waiting in the queue, in every shape the desk meets."""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from tsunagu.agencies.models import Agency, District
from tsunagu.cases.models import SharingBasis
from tsunagu.demo.names import ELDER_FEMALE, FAMILY, FEMALE, MALE, SUMMARIES
from tsunagu.demo.run import DemoRun
from tsunagu.intake.models import Channel, Concern, Consultation, ContactType, FamilyRelation, Screening
from tsunagu.intake.services import ConsultationData, TriageDecision, consultation_create, consultation_triage
from tsunagu.people.models import Disability, Household, Person, Relation, Sex
from tsunagu.people.services import HouseholdData, PersonData, household_create, person_create

# Fresh consultations that are still waiting: channel, who calls, relation, urgent, summary.
FRESH = [
    (
        Channel.PHONE,
        ContactType.FAMILY,
        FamilyRelation.MOTHER,
        True,
        "80代の母親から。50代の息子が部屋から出てこず、数日食事をとっていない様子。",
    ),
    (
        Channel.ONLINE_FORM,
        ContactType.SELF,
        "",
        False,
        "人と会うのが怖くて外に出られません。話だけでも聞いてほしいです。",
    ),
    (
        Channel.AGENCY,
        ContactType.AGENCY,
        "",
        False,
        "あんしんすこやかセンターの訪問先で、40代の息子さんが長くひきこもっている様子。母親は要介護1。",
    ),
    (Channel.VISIT, ContactType.NEIGHBOUR, "", False, "民生委員から。近所の家の息子さんを何年も見かけない。"),
    (
        Channel.LETTER,
        ContactType.FAMILY,
        FamilyRelation.SIBLING,
        False,
        "実家の兄のことで相談したい。父が亡くなり、母と兄の二人暮らし。",
    ),
]


def person_data(
    rng: random.Random,
    *,
    family: tuple[str, str],
    sex: str,
    age: int,
    relation: str,
    named: bool = True,
    concerned: bool = False,
    today: dt.date,
) -> dict[str, Any]:
    pool = MALE if sex == Sex.MALE else (ELDER_FEMALE if age >= 60 else FEMALE)
    given = rng.choice(pool)
    birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364)) if named else None
    return {
        "family_name": family[0] if named else "",
        "given_name": given[0] if named else "",
        "family_name_kana": family[1] if named else "",
        "given_name_kana": given[1] if named else "",
        "label": "" if named else f"相談者の{'長男' if sex == Sex.MALE else '長女'}（{age // 10 * 10}代）",
        "sex": sex,
        "birth_date": birth,
        "approx_decade": None if named else min(age // 10 * 10, 80),
        "relation": relation,
        "is_concerned": concerned,
        "disability": rng.choice(
            [Disability.UNKNOWN, Disability.UNKNOWN, Disability.SUSPECTED, Disability.NONE, Disability.CERTIFICATE]
        )
        if concerned
        else Disability.UNKNOWN,
    }


@dataclass(frozen=True)
class DemoHousehold:
    household: Household
    child: Person  # the person of concern
    consultation: Consultation
    received: dt.datetime
    child_age: int
    parent_age: int


def household_and_consultation(run: DemoRun, i: int, districts: list[District]) -> DemoHousehold:
    """Household number ``i``: an "8050" household (a parent in their 60s-90s, a child of 40-58)
    two times in three, else a young person's; its mother, the person of concern and the mother's
    consultation at the desk."""
    rng, desk, today = run.rng, run.users["desk"], run.when.today
    district = rng.choice(districts)
    family = FAMILY[i % len(FAMILY)]
    kind = "8050" if i % 3 != 2 else "youth"
    child_age = rng.randint(40, 58) if kind == "8050" else rng.randint(14, 34)
    parent_age = child_age + rng.randint(25, 33)
    household = household_create(
        user=desk,
        data=HouseholdData(
            label=f"{district.name}の{family[0]}さん宅",
            address=f"世田谷区{district.name}（架空）{i + 1}-{rng.randint(1, 30)}",
            district=district,
            sig_elderly_parent=parent_age >= 65,
            sig_adult_child_home=kind == "8050",
            sig_parent_pension=kind == "8050" and rng.random() < 0.6,
            sig_care_need=kind == "8050" and rng.random() < 0.3,
            sig_arrears=rng.random() < 0.15,
        ),
    )
    mother = person_create(
        user=desk,
        household=household,
        data=PersonData(
            **person_data(rng, family=family, sex=Sex.FEMALE, age=parent_age, relation=Relation.MOTHER, today=today)
        ),
    )
    child_sex = rng.choice([Sex.MALE, Sex.MALE, Sex.FEMALE])
    named = rng.random() < 0.7
    child = person_create(
        user=desk,
        household=household,
        data=PersonData(
            **person_data(
                rng,
                family=family,
                sex=child_sex,
                age=child_age,
                relation=Relation.SON if child_sex == Sex.MALE else Relation.DAUGHTER,
                named=named,
                concerned=True,
                today=today,
            )
        ),
    )
    received, consultation = _consultation(run, i, mother)
    return DemoHousehold(household, child, consultation, received, child_age, parent_age)


def _consultation(run: DemoRun, i: int, mother: Person) -> tuple[dt.datetime, Consultation]:
    """The mother's call to the desk, some days to three months ago."""
    rng, desk, now = run.rng, run.users["desk"], run.when.now
    received = now - dt.timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 8))
    consultation, _created = consultation_create(
        user=desk,
        key=None,
        data=ConsultationData(
            received_at=received,
            channel=rng.choice([Channel.PHONE, Channel.PHONE, Channel.VISIT, Channel.AGENCY, Channel.EMAIL]),
            contact_type=ContactType.FAMILY,
            contact_relation=FamilyRelation.MOTHER,
            contact_name=f"{mother.family_name}{mother.given_name}",
            contact_phone=f"03-0000-{1000 + i}",
            concerns=[Concern.WITHDRAWAL, Concern.FAMILY],
            main_concern=Concern.WITHDRAWAL,
            summary=rng.choice(SUMMARIES),
            urgent=False,
        ),
    )
    return received, consultation


def triage(
    run: DemoRun,
    consultation: Consultation,
    *,
    screening: str,
    household: Household,
    person: Person,
    lead: Agency,
    parent_age: int,
) -> Consultation:
    """The desk's decision: a case led by ``lead`` (with the household's あんしんすこやかセンター
    when a parent is 65 or older), information only, or a referral elsewhere."""
    district = household.district
    return consultation_triage(
        user=run.users["desk"],
        consultation=consultation,
        expected_version=consultation.version,
        decision=TriageDecision(
            screening=screening,
            household=household,
            person=person,
            lead=lead if screening == Screening.CONTINUE else None,
            partners=tuple(Agency.objects.filter(kind="elderly", district=district)) if parent_age >= 65 else (),
            sharing_basis=SharingBasis.CONSENT,
            note={
                Screening.INFO_ONLY: "パンフレットを郵送",
                Screening.REFER: "地域の保健福祉センターを紹介",
            }.get(screening, ""),
        ),
    )


def fresh_consultations(run: DemoRun) -> int:
    """The consultations of the last hours, still waiting in the queue; returns how many."""
    anshin = Agency.objects.filter(kind="elderly").first()
    for n, (channel, contact, relation, urgent, summary) in enumerate(FRESH):
        consultation_create(
            user=run.users["desk"],
            key=None,
            data=ConsultationData(
                received_at=run.when.now - dt.timedelta(hours=3 + n * 7),
                channel=channel,
                contact_type=contact,
                contact_relation=relation,
                contact_agency=anshin if contact == ContactType.AGENCY else None,
                concerns=[Concern.WITHDRAWAL] + ([Concern.CARE] if contact == ContactType.AGENCY else []),
                main_concern=Concern.WITHDRAWAL,
                summary=summary,
                urgent=urgent,
                contact_preference="may_contact",
            ),
        )
    return len(FRESH)
