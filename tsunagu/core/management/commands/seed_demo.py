"""Invent a small, realistic ward for demonstrations. Every name and address here is made up.

Idempotent: when demo data is already there it only prints the logins again. Refused in production
(the demo logins and their password are published). Every date that decides what a work page shows
is computed backwards from the rule that decides it (``_demo_calendar``), so the demo shows the same
states whatever day it is created on.
"""

import datetime as dt
import random
import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tsunagu.agencies.models import Agency, District, Membership, Role
from tsunagu.assessments.definition import UNKNOWN, items_of
from tsunagu.assessments.services import assessment_create, current_instrument
from tsunagu.cases.models import Case, CaseStatus, ClosureReason, SharingBasis
from tsunagu.cases.services import case_change_status, case_set_lead_worker, emergency_open
from tsunagu.core.management.commands._demo_calendar import DemoCalendar
from tsunagu.intake.models import Channel, Concern, ContactType, FamilyRelation, Screening
from tsunagu.intake.services import ConsultationData, TriageDecision, consultation_create, consultation_triage
from tsunagu.lib.ages import add_months
from tsunagu.lib.businessdays import add_business_days
from tsunagu.people.models import Disability, Household, Person, Relation, Sex
from tsunagu.people.services import HouseholdData, PersonData, household_create, person_create
from tsunagu.plans.services import may_decide, plan_create, plan_decide, plan_submit
from tsunagu.records.models import Method
from tsunagu.records.services import RecordData, record_create

# The demo logins and their published password are demo data, kept beside this command.
LOGINS_FILE = Path(__file__).with_name("seed_demo_logins.toml")
# Invented combinations of common surnames and given names, with readings.
FAMILY = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("髙橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡邊", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("齋藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山﨑", "ヤマザキ"),
    ("長谷川", "ハセガワ"),
]
MALE = [
    ("一郎", "イチロウ"),
    ("健", "ケン"),
    ("大輔", "ダイスケ"),
    ("翔太", "ショウタ"),
    ("浩二", "コウジ"),
    ("誠", "マコト"),
    ("拓也", "タクヤ"),
    ("和夫", "カズオ"),
    ("茂", "シゲル"),
    ("悠真", "ユウマ"),
]
FEMALE = [
    ("花子", "ハナコ"),
    ("恵子", "ケイコ"),
    ("陽子", "ヨウコ"),
    ("美咲", "ミサキ"),
    ("由美", "ユミ"),
    ("幸子", "サチコ"),
    ("真由美", "マユミ"),
    ("葵", "アオイ"),
    ("和子", "カズコ"),
    ("結衣", "ユイ"),
]
ELDER_FEMALE = [
    ("和子", "カズコ"),
    ("幸子", "サチコ"),
    ("節子", "セツコ"),
    ("洋子", "ヨウコ"),
    ("久美子", "クミコ"),
    ("照子", "テルコ"),
    ("文子", "フミコ"),
    ("京子", "キョウコ"),
]
SUMMARIES = [
    "息子が10年以上ほとんど部屋から出ない。最近は昼夜逆転していて、話しかけても返事がない。自分も80歳を過ぎ、この先が心配。",
    "娘が大学を中退してから家にいる。本人は相談に行くことを嫌がっているが、家族だけでも話を聞いてほしい。",
    "弟が仕事を辞めて5年、実家で母と二人暮らし。母が入院することになり、弟の生活が心配。",
    "中学2年の息子が不登校。ゲームばかりしていて、家族とも口をきかない。",
    "近所の高齢の女性宅に、40代くらいの息子さんがいるようだが姿を見かけない。民生委員として気になっている。",
    "自分のことで相談したい。人と話すのが怖く、外に出られない。仕事もしたいが何から始めればいいか分からない。",
    "父の年金で暮らしているが、家賃の滞納が続いている。兄は家から出ず、父は介護が必要になってきた。",
    "息子が家族に暴言をはくことが増え、物を壊すこともある。どうしたらいいか分からない。",
]


RECORD_TEXTS = {
    True: [
        "母親と面談。本人は最近、夜にコンビニへ行くようになったとのこと。",
        "本人と電話で5分ほど話せた。ゲームの話題には応じる。",
        "本人が来所。次回は居場所の見学を提案した。",
        "ハローワークへ同行。本人は緊張していたが最後まで話を聞けた。",
    ],
    False: [
        "訪問したがインターホンに応答なし。手紙をポストに入れた。",
        "電話をかけたが出なかった。留守番電話にメッセージを残した。",
        "訪問。母親は在宅だったが、本人は部屋から出てこなかった。",
    ],
}


class Command(BaseCommand):
    help = "デモ用の世帯・人・相談・ケースと、役割ごとのデモ利用者を作ります（すべて架空のデータです）。"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, households: int, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "本番モード（TSUNAGU_PRODUCTION=1）ではデモデータを作成できません。"
                "デモ用の利用者のパスワードは公開されているため、本番のデータベースに作ってはいけません。"
            )
        with LOGINS_FILE.open("rb") as file:
            self.logins = tomllib.load(file)
        self.plan_left_waiting = False
        if not Agency.objects.filter(code="link").exists():
            raise CommandError("先に load_reference で参照データを読み込んでください。")
        call_command("load_instruments", verbosity=0)  # idempotent
        with transaction.atomic():
            users = self._users()
            if Household.objects.exists():
                self.stdout.write("デモデータはすでにあります（追加していません）。")
            else:
                self._data(users, households=households, rng=random.Random(seed), when=DemoCalendar.current())
        self._print_logins()

    def _users(self):
        User = get_user_model()
        users = {}
        for login in self.logins["users"]:
            is_staff = login.get("is_staff", False)
            user, created = User.objects.get_or_create(
                username=login["username"],
                defaults={
                    "last_name": login["last_name"],
                    "first_name": login["first_name"],
                    "is_staff": is_staff,
                    "is_superuser": is_staff,
                },
            )
            if created:
                user.set_password(self.logins["password"])
                user.save()
            Membership.objects.get_or_create(
                user=user, agency=Agency.objects.get(code=login["agency"]), defaults={"role": Role(login["role"])}
            )
            users[login["username"]] = user
        return users

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"デモ利用者（パスワードはすべて {self.logins['password']} ）:")
        for login in self.logins["users"]:
            agency = Agency.objects.get(code=login["agency"])
            self.stdout.write(
                f"  {login['username']:<12} {login['last_name']} {login['first_name']}"
                f"（{agency.name}・{Role(login['role']).label}）"
            )

    def _person_data(self, rng, *, family, sex, age, relation, named=True, concerned=False, today):
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

    def _plan(self, case, worker, person, *, approve_by, review_soon, when):
        """A plan with one goal for the person and one for the family: approved where the lead
        agency's supervisor is in the demo, otherwise waiting for approval. A plan reviewed soon
        shows on the work page as due for review."""
        today = when.today
        lead = case.lead().agency if case.lead() else None
        plan, _created = plan_create(
            user=worker,
            case=case,
            key=None,
            review_on=when.review_soon() if review_soon else when.review_later(),
            goals=[
                {
                    "target": "person",
                    "person": person,
                    "text": "週に1回、決まった時間に起きる",
                    "action": "電話で声かけ",
                    "owner": lead,
                    "due_on": add_business_days(today, 40),
                },
                {
                    "target": "family",
                    "person": None,
                    "text": "家族が家族会で相談できる相手を見つける",
                    "action": "はなみずきの会の紹介",
                    "owner": lead,
                    "due_on": None,
                },
            ],
        )
        plan = plan_submit(user=worker, plan=plan, expected_version=plan.version)
        if approve_by is not None and may_decide(approve_by, plan):
            plan_decide(user=approve_by, plan=plan, expected_version=plan.version, approve=True, comment="")

    def _support(self, case, worker, person, since, rng, i, *, when, supervisor=None):
        """A few months of support: records (some outreach unanswered) and status changes."""
        case = case_set_lead_worker(user=worker, case=case, expected_version=case.version, worker=worker)
        # The demo invents history: the case opened when the consultation came in, not today.
        opened = since - dt.timedelta(days=100) if i == 5 else since + dt.timedelta(days=1)
        Case.objects.filter(pk=case.pk).update(opened_at=opened)
        day = timezone.localdate(since)
        today = when.today
        if i == 5:
            # Someone about to age out of the lead agency (メルクマール: 39 → 40) and contact lost
            # for weeks: home visits on business days, all unanswered, the next one due soon.
            age_max = case.lead().agency.age_max
            if age_max is not None:
                Person.objects.filter(pk=person.pk).update(birth_date=when.birth_date_ageing_out(age_max))
            for days in (70, 50, 40, 35):
                record_create(
                    user=worker,
                    case=case,
                    key=None,
                    data=RecordData(
                        **{
                            "occurred_on": when.business_day_on_or_before(today - dt.timedelta(days=days)),
                            "method": Method.HOME_VISIT,
                            "reached": False,
                            "persons": [person],
                            "summary": RECORD_TEXTS[False][0],
                            "next_action": "手紙で連絡",
                            "next_action_on": when.action_due_soon(),
                        }
                    ),
                )
            return
        visits = rng.randint(1, 6)
        for n in range(visits):
            day = min(today, day + dt.timedelta(days=rng.randint(5, 20)))
            method = rng.choice(
                [Method.PHONE, Method.HOME_VISIT, Method.OUTREACH, Method.VISIT_OFFICE, Method.ACCOMPANY]
            )
            reached = method not in (Method.HOME_VISIT, Method.OUTREACH) or rng.random() < 0.5
            record_create(
                user=worker,
                case=case,
                key=None,
                data=RecordData(
                    **{
                        "occurred_on": day,
                        "method": method,
                        "reached": reached,
                        "persons": [person],
                        "summary": rng.choice(RECORD_TEXTS[reached]),
                        "next_action": "次回の訪問日を調整" if n == visits - 1 else "",
                        "next_action_on": None,
                    }
                ),
            )
        if i % 3 == 0:
            self._assessments(case, worker, person, timezone.localdate(since), rng, when=when)
        if i % 3 != 1:
            # Only the lead agency's supervisors decide a plan: the first plan of a case their
            # agency leads stays waiting, so their work page shows a plan to approve.
            lead = case.lead()
            waits = (
                not self.plan_left_waiting
                and lead is not None
                and supervisor.memberships.filter(agency=lead.agency).exists()
            )
            self.plan_left_waiting = self.plan_left_waiting or waits
            approve_by = None if waits else supervisor
            self._plan(case, worker, person, approve_by=approve_by, review_soon=i % 2 == 0, when=when)
        if i % 6 == 1:
            return  # still 受付: nobody has changed its status yet
        case = case_change_status(user=worker, case=case, expected_version=case.version, status=CaseStatus.ACTIVE)
        if i % 10 == 0:
            case_change_status(user=worker, case=case, expected_version=case.version, status=CaseStatus.WATCHING)
        elif i % 10 == 5:
            case_change_status(
                user=worker,
                case=case,
                expected_version=case.version,
                status=CaseStatus.CLOSED,
                closure_reason=ClosureReason.SOCIAL,
                follow_up_on=add_business_days(add_months(today, 3), 0),
            )

    def _assessments(self, case, worker, person, since, rng, *, when):
        """A standard assessment soon after the case opened and, when there has been time, a
        second one lately; and the family's needs."""
        instrument = current_instrument("person")
        going_out, stage = rng.randint(6, 8), 1
        today = when.today
        lately = when.business_day_on_or_before(today - dt.timedelta(days=2))
        days = [since + dt.timedelta(days=2)] + ([lately] if (lately - since).days >= 18 else [])
        for day in days:
            answers = {item["id"]: UNKNOWN for item in items_of(instrument.definition)} | {
                "going_out": str(going_out),
                "support_stage": str(stage),
                "sleep": str(rng.randint(1, 3)),
                "meals": str(rng.randint(2, 4)),
                "hygiene": str(rng.randint(1, 4)),
                "internet": str(rng.randint(2, 4)),
                "money": str(rng.randint(1, 3)),
                "wishes": "今は話したくない" if stage == 1 else "少しずつ外に出てみたい",
            }
            assessment_create(
                user=worker,
                case=case,
                person=person,
                instrument=instrument,
                assessed_on=day,
                answers=answers,
                status="complete",
                key=None,
            )
            going_out, stage = max(4, going_out - rng.randint(1, 2)), 2
        family = current_instrument("family")
        answers = {item["id"]: UNKNOWN for item in items_of(family.definition)} | {
            "strain_emotional": "4",
            "strain_time": str(rng.randint(2, 4)),
            "strain_money": str(rng.randint(1, 4)),
            "support_around": "1",
            "family_wishes": "親が元気なうちに、本人の将来の見通しを立てたい",
        }
        assessment_create(
            user=worker,
            case=case,
            person=None,
            instrument=family,
            assessed_on=min(today, since + dt.timedelta(days=10)),
            answers=answers,
            status="complete",
            key=None,
        )

    def _data(self, users, *, households, rng, when):
        desk = users["desk"]
        today, now = when.today, when.now
        districts = list(District.objects.select_related("area"))
        link = Agency.objects.get(code="link")
        merkmal = Agency.objects.get(code="merkmal")
        for i in range(households):
            district = rng.choice(districts)
            family = FAMILY[i % len(FAMILY)]
            kind = "8050" if i % 3 != 2 else "youth"
            child_age = rng.randint(40, 58) if kind == "8050" else rng.randint(14, 34)
            parent_age = child_age + rng.randint(25, 33)
            household = household_create(
                user=desk,
                data=HouseholdData(
                    **{
                        "label": f"{district.name}の{family[0]}さん宅",
                        "address": f"世田谷区{district.name}（架空）{i + 1}-{rng.randint(1, 30)}",
                        "district": district,
                        "sig_elderly_parent": parent_age >= 65,
                        "sig_adult_child_home": kind == "8050",
                        "sig_parent_pension": kind == "8050" and rng.random() < 0.6,
                        "sig_care_need": kind == "8050" and rng.random() < 0.3,
                        "sig_arrears": rng.random() < 0.15,
                    }
                ),
            )
            mother = person_create(
                user=desk,
                household=household,
                data=PersonData(
                    **self._person_data(
                        rng, family=family, sex=Sex.FEMALE, age=parent_age, relation=Relation.MOTHER, today=today
                    )
                ),
            )
            child_sex = rng.choice([Sex.MALE, Sex.MALE, Sex.FEMALE])
            named = rng.random() < 0.7
            child = person_create(
                user=desk,
                household=household,
                data=PersonData(
                    **self._person_data(
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
            received = now - dt.timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 8))
            consultation, _created = consultation_create(
                user=desk,
                key=None,
                data=ConsultationData(
                    **{
                        "received_at": received,
                        "channel": rng.choice(
                            [Channel.PHONE, Channel.PHONE, Channel.VISIT, Channel.AGENCY, Channel.EMAIL]
                        ),
                        "contact_type": ContactType.FAMILY,
                        "contact_relation": FamilyRelation.MOTHER,
                        "contact_name": f"{mother.family_name}{mother.given_name}",
                        "contact_phone": f"03-0000-{1000 + i}",
                        "concerns": [Concern.WITHDRAWAL, Concern.FAMILY],
                        "main_concern": Concern.WITHDRAWAL,
                        "summary": rng.choice(SUMMARIES),
                        "urgent": False,
                    }
                ),
            )
            outcome = i % 5
            if outcome == 4:
                continue  # waits in the queue
            screening = [Screening.CONTINUE, Screening.CONTINUE, Screening.INFO_ONLY, Screening.REFER][outcome]
            lead = merkmal if child_age <= 39 else link
            consultation = consultation_triage(
                user=desk,
                consultation=consultation,
                expected_version=consultation.version,
                decision=TriageDecision(
                    screening=screening,
                    household=household,
                    person=child,
                    lead=lead if screening == Screening.CONTINUE else None,
                    partners=tuple(Agency.objects.filter(kind="elderly", district=district))
                    if parent_age >= 65
                    else (),
                    sharing_basis=SharingBasis.CONSENT,
                    note={
                        Screening.INFO_ONLY: "パンフレットを郵送",
                        Screening.REFER: "地域の保健福祉センターを紹介",
                    }.get(screening, ""),
                ),
            )
            if consultation.case is not None:
                worker = users["caseworker"] if lead == merkmal else users["link-worker"]
                self._support(
                    consultation.case, worker, child, received, rng, i, when=when, supervisor=users["supervisor"]
                )
        # Fresh consultations that are still waiting, in every shape the desk meets.
        fresh = [
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
        anshin = Agency.objects.filter(kind="elderly").first()
        for n, (channel, contact, relation, urgent, summary) in enumerate(fresh):
            consultation_create(
                user=desk,
                key=None,
                data=ConsultationData(
                    **{
                        "received_at": now - dt.timedelta(hours=3 + n * 7),
                        "channel": channel,
                        "contact_type": contact,
                        "contact_relation": relation,
                        "contact_agency": anshin if contact == ContactType.AGENCY else None,
                        "concerns": [Concern.WITHDRAWAL] + ([Concern.CARE] if contact == ContactType.AGENCY else []),
                        "main_concern": Concern.WITHDRAWAL,
                        "summary": summary,
                        "urgent": urgent,
                        "contact_preference": "may_contact",
                    }
                ),
            )
        # A caseworker of メルクマール broke the glass on a case led by ぷらっとホーム: waiting for review.
        other = Case.objects.filter(team__agency=link, team__role="lead").exclude(team__agency=merkmal).first()
        if other is not None:
            emergency_open(
                user=users["caseworker"],
                case=other,
                reason="夜間に本人の母親から、本人が自傷をほのめかしているとの電話。主担当機関に連絡がつかないため。",
            )
        self._coordination(users, when)
        self.stdout.write(f"デモデータを作成しました：世帯 {households}、相談 {households + len(fresh)}")

    def _coordination(self, users, when):
        """Referrals in every state (two overdue and escalated), a support meeting with minutes and
        action items, and a council meeting without personal data.

        Referrals are sent on business days chosen backwards from their answer day: the overdue
        ones were due one and two business days before today, the answered ones were answered in
        time."""
        from tsunagu.meetings.models import MeetingKind
        from tsunagu.meetings.services import decision_add, meeting_add_case, meeting_create, meeting_update
        from tsunagu.referrals import services as referrals
        from tsunagu.referrals.models import Referral, ReferralEvent

        def agency(code):
            return Agency.objects.get(code=code)

        def open_cases(code):
            return list(
                Case.objects.filter(team__agency__code=code, team__role="lead", team__until__isnull=True)
                .exclude(status="closed")
                .order_by("pk")
            )

        merkmal_cases, link_cases = open_cases("merkmal"), open_cases("link")
        if len(merkmal_cases) < 4 or len(link_cases) < 4:
            return

        def refer(case, sender, from_code, to_code, reason, summary, *, sent_on=None, accompanied=False):
            person = case.household.members.filter(is_concerned=True).first()
            referral, _created = referrals.referral_send(
                user=sender,
                case=case,
                from_agency=agency(from_code),
                to_agency=agency(to_code),
                person=person,
                reason=reason,
                summary=summary,
                basis=SharingBasis.MEETING_ART9,
                accompanied=accompanied,
            )
            if sent_on is not None:  # demo only: as if sent on that (past) day, in office hours
                sent = when.at(sent_on, 10, 30)
                due = referrals.referral_due_on(to_agency=referral.to_agency, sent_on=sent_on)
                Referral.objects.filter(pk=referral.pk).update(requested_at=sent, due_on=due)
                ReferralEvent.objects.filter(referral=referral).update(at=sent)
                referral.refresh_from_db()
            return referral

        worker, link_worker = users["caseworker"], users["link-worker"]
        # 依頼中: to the あんしんすこやかセンター (the demo user "anshin" answers it)
        refer(
            merkmal_cases[0],
            worker,
            "merkmal",
            "anshin-ikejiri",
            "母親の介護の相談先として",
            "母親（80代）は足腰が弱り、買い物に困っている。本人（30代）は家事を手伝えていない。",
        )
        # 依頼中, with a question from the school that waits for the sender's reply
        to_school = refer(
            merkmal_cases[1],
            worker,
            "merkmal",
            "kyoiku-iinkai",
            "中学時代の不登校の経緯を共有したい",
            "本人は中学2年から不登校。当時の支援の記録があれば教えてほしい。",
        )
        referrals.referral_message(
            user=users["partner"], referral=to_school, side="receiver", text="在籍していた学校名を教えてください。"
        )
        # 期限超過: due two business days ago (and one, below), unanswered, escalated to the desk
        # and (for メルクマール's) the supervisor
        refer(
            merkmal_cases[2],
            worker,
            "merkmal",
            "shuro-yuni",
            "就労体験を希望",
            "本人は週2日程度の軽作業を希望。人の多い場所は苦手。",
            sent_on=when.sent_on_for_late(referral_days=agency("shuro-yuni").referral_days, late_by=2),
        )
        refer(
            link_cases[0],
            link_worker,
            "link",
            "hfc-setagaya",
            "保健師の訪問を依頼",
            "本人に不眠と食欲低下。精神科の受診歴なし。",
            sent_on=when.sent_on_for_late(referral_days=agency("hfc-setagaya").referral_days, late_by=1),
            accompanied=True,
        )
        referrals.referrals_escalate(today=when.today)
        # 受理: the あんしんすこやかセンター joined the team, first meeting not yet held
        accepted = refer(
            link_cases[1],
            link_worker,
            "link",
            "anshin-ikejiri",
            "母親の介護保険の申請支援",
            "母親が要介護認定を受けていない。本人は母親の介護を一人で抱えている。",
            sent_on=when.business_days_ago(2),
            accompanied=True,
        )
        referrals.referral_accept(
            user=users["anshin"], referral=accepted, expected_version=accepted.version, comment="来週訪問します。"
        )
        # 初回面談済
        met = refer(
            link_cases[2],
            link_worker,
            "link",
            "merkmal",
            "39歳以下の若者支援として",
            "本人は30代前半。同年代の居場所に関心がある。",
            sent_on=when.business_days_ago(5),
        )
        met = referrals.referral_accept(user=worker, referral=met, expected_version=met.version)
        referrals.referral_first_met(
            user=worker, referral=met, expected_version=met.version, on=when.business_days_ago(1)
        )
        # 辞退: the sender (caseworker) sees the answer on the work page
        declined = refer(
            merkmal_cases[3],
            worker,
            "merkmal",
            "link",
            "40歳を前に主担当の引き継ぎを相談したい",
            "本人は39歳。就労には関心がない。",
            sent_on=when.business_days_ago(3),
        )
        referrals.referral_decline(
            user=users["desk"],
            referral=declined,
            expected_version=declined.version,
            decline_reason="not_enough",
            comment="引き継ぎの時期と本人の意向を確認してから、もう一度ご依頼ください。",
        )
        # 取下げ
        withdrawn = refer(
            link_cases[3],
            link_worker,
            "link",
            "saposute",
            "就労準備の相談",
            "本人は就労に関心があるが、体調に波がある。",
            sent_on=when.business_days_ago(4),
        )
        referrals.referral_withdraw(
            user=link_worker,
            referral=withdrawn,
            expected_version=withdrawn.version,
            reason="本人が通院を優先したいと話したため",
        )

        # A support meeting (第9条) with minutes, a case discussed and action items.
        # Held on the last business day: its attending agencies are inside the sharing window.
        held = when.at(when.business_days_ago(1), 14)
        meeting, _created = meeting_create(
            user=users["supervisor"],
            organiser=agency("merkmal"),
            kind=MeetingKind.SUPPORT_ART9,
            title=f"支援会議（{timezone.localdate(held).month}月）",
            held_at=held,
            place="メルクマールせたがや 会議室（架空）",
            agencies=[agency("link"), agency("anshin-ikejiri")],
            other_attendees="民生委員",
        )
        case = merkmal_cases[0]
        meeting_add_case(user=users["supervisor"], meeting=meeting, case=case)
        meeting = meeting_update(
            user=users["supervisor"],
            meeting=meeting,
            expected_version=meeting.version,
            title=meeting.title,
            held_at=held,
            place=meeting.place,
            agencies=[agency("link"), agency("anshin-ikejiri")],
            attendees=[users["supervisor"], worker, users["desk"], users["anshin"]],
            other_attendees=meeting.other_attendees,
            minutes=(
                "1. 本人と家族の状況の共有（メルクマールせたがや）\n"
                "   母親の足腰が弱り、通院に付き添いが必要になってきた。本人は夜間のみ外出。\n"
                "2. 役割分担\n"
                "   あんしんすこやかセンター：母親の介護保険の申請を支援する。\n"
                "   メルクマールせたがや：本人への手紙と訪問を続ける。\n"
                "3. 次回：1か月後に状況を確認する。"
            ),
        )
        for text, owner, days in (
            ("母親の介護保険の申請を支援する", users["anshin"], 7),
            ("本人に手紙を出し、訪問の約束をとる", worker, 3),
        ):
            decision_add(
                user=users["supervisor"],
                meeting=meeting,
                text=text,
                case=case,
                owner=owner,
                due_on=when.business_days_ahead(days),
            )
        decision_add(
            user=users["supervisor"],
            meeting=meeting,
            text="1か月後に支援会議で状況を確認する",
            case=case,
            owner=None,
            due_on=None,
        )
        # A council meeting: the secretariat's, no personal data.
        council, _created = meeting_create(
            user=users["secretariat"],
            organiser=agency("ward-seikatsu-fukushi"),
            kind=MeetingKind.LIAISON_COUNCIL,
            title="ひきこもり支援機関連絡協議会（第3回）",
            held_at=when.at(when.business_days_ago(15), 14),
            place="世田谷区役所 会議室（架空）",
            agencies=[agency("link"), agency("merkmal"), agency("saposute")],
        )
        meeting_update(
            user=users["secretariat"],
            meeting=council,
            expected_version=council.version,
            title=council.title,
            held_at=council.held_at,
            place=council.place,
            agencies=council.agencies.all(),
            attendees=[users["secretariat"], users["supervisor"], users["desk"]],
            other_attendees="",
            minutes="1. 上半期の相談件数の報告\n2. 居場所の新設について意見交換\n3. 家族向け講座の共同開催を検討する",
        )
