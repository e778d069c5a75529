"""The synthetic population: households, persons, consultations, cases and their whole history.

Everything a service would have written is written here in bulk, derived with the project's own
functions (name keys, business-day deadlines, timeline summaries, assessment scores), so that the
data is valid, not merely plentiful. One ``random.Random(seed)`` draws everything, in a fixed
order, from a fixed day (``as_of``): the same seed and day give the same rows with the same ids.

The shape (docs/benchmarks.md, "Population generator"): about two persons per household, a case
on 40% of households, cases in every status with their lead spread over the agencies with a skew,
progress records with a long tail (most cases a few dozen, some 500+), referrals in every state,
case meetings, and the access events the doors would have written for all of it.
"""

import bisect
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.agencies.models import Agency, AgencyKind, District, Membership, PostalCode, Role, TeamRole
from tsunagu.assessments import definition as spec
from tsunagu.assessments.models import PATHWAY_ITEM, Assessment, AssessmentStatus, Instrument, Target
from tsunagu.assessments.services import answer_text
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.partitions import create_month, ensure_partitions, is_partitioned, month_start, next_month
from tsunagu.cases.models import (
    Case,
    CaseAgency,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentMethod,
    SharingBasis,
    TimelineEntry,
    TimelineKind,
)
from tsunagu.demo.names import RECORD_TEXTS, SUMMARIES
from tsunagu.demo.population import names
from tsunagu.demo.population.around import AROUND_MODELS, AroundTheCase
from tsunagu.demo.population.personas import PERSONAS, bench_password
from tsunagu.demo.population.writer import Progress, Table, Writer, bulk_load
from tsunagu.intake.models import Channel, Concern, Consultation, ContactType, FamilyRelation, Screening, Source
from tsunagu.intake.services import _CODE_ALPHABET
from tsunagu.lib import kana
from tsunagu.lib.businessdays import add_business_days
from tsunagu.lib.wareki import format_wareki
from tsunagu.meetings.models import KIND_BASIS, Decision, Meeting, MeetingCase, MeetingKind
from tsunagu.people.models import Disability, Household, Person, PersonNameKey, Relation, Sex
from tsunagu.plans.models import Goal, GoalStatus, GoalTarget, PlanStatus, SupportPlan
from tsunagu.plans.work_state import plan_review_set
from tsunagu.records.models import Method, ProgressRecord
from tsunagu.records.work_state import rebuild_work_state
from tsunagu.referrals.models import DeclineReason, Referral, ReferralEvent, ReferralEventKind, ReferralStatus
from tsunagu.reports.survey import estimates_seed

SCALES = {"tiny": 200, "ward": 10_000, "national": 1_000_000}

# Shape of the population (per household / per case), tuned so that 1,000,000 persons give about
# 500,000 households, 200,000 cases, 10,000,000 progress records and 23,000,000 access events.
CASE_SHARE = 0.41  # households with a case
CONSULT_ONLY_SHARE = 0.06  # households known from a consultation without a case
RECORDS_MU, RECORDS_SIGMA, RECORDS_MAX = 3.05, 1.2, 900  # log-normal: median 21, mean ~43, some 500+
LONG_HISTORY = 520  # records of the benchmark worker's long case
WORKER_CASES = 40  # open cases of the benchmark worker
CASES_PER_WORKER = 35
HISTORY_DAYS = 3 * 365
LEAD_KINDS = (
    AgencyKind.CENTRAL_DESK,
    AgencyKind.YOUTH,
    AgencyKind.DISABILITY,
    AgencyKind.ELDERLY,
    AgencyKind.PUBLIC_HEALTH,
    AgencyKind.EMPLOYMENT,
)
STATUS_SHARES = (
    (CaseStatus.RECEIVED, 0.08),
    (CaseStatus.ACTIVE, 0.38),
    (CaseStatus.WATCHING, 0.14),
    (CaseStatus.CLOSED, 0.40),
)
REFERRAL_SHARES = (
    (ReferralStatus.ACCEPTED, 0.34),
    (ReferralStatus.FIRST_MET, 0.31),
    (ReferralStatus.DECLINED, 0.13),
    (ReferralStatus.WITHDRAWN, 0.07),
    (ReferralStatus.REQUESTED, 0.15),
)
METHODS = [m for m in Method.values if m != Method.MEETING]
NEXT_ACTIONS = [
    "電話で様子を聞く",
    "自宅を訪問する",
    "母親と面談",
    "居場所の見学に同行",
    "手紙を送る",
    "ケース会議で検討",
]
REFERRAL_REASONS = [
    "就労の希望があるため",
    "40歳になり主担当の引き継ぎを検討",
    "親の介護の相談のため",
    "精神科の受診について相談したい",
    "家族会を紹介したい",
    "障害福祉サービスの利用を検討",
]
DECISION_TEXTS = ["月1回の訪問を続ける", "家族会を母親に紹介する", "医療機関への相談を検討する", "就労体験を提案する"]
GOAL_TEXTS = {
    GoalTarget.PERSON: ["週に1回外出する", "居場所に月2回通う", "生活リズムを整える", "就労体験に参加する"],
    GoalTarget.FAMILY: ["母親が家族会に参加する", "家族が相談を続けられる", "父親の介護サービスを利用する"],
    GoalTarget.HOUSEHOLD: ["家賃の滞納を解消する", "生活費の見通しを立てる", "住まいを確保する"],
}
MEETING_TITLES = ["定例の支援会議", "ケース検討", "支援方針の確認", "関係機関の情報共有"]
CASE_MEETING_KINDS = (
    (MeetingKind.SUPPORT_ART9, 0.55),
    (MeetingKind.SUPPORT_ART106_6, 0.25),
    (MeetingKind.CASE_CONFERENCE, 0.20),
)


def _cumulative(shares: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]]:
    values = [v for v, _w in shares]
    acc = list(itertools.accumulate(w for _v, w in shares))
    return values, [a / acc[-1] for a in acc]


class Refused(Exception):
    """The generator will not run here (production settings, or a database that holds persons)."""


def check_may_run() -> None:
    if getattr(settings, "PRODUCTION", False):
        raise Refused("本番の設定では実行できません（合成データは本番のデータベースに入れません）。")
    if Person.objects.exists():
        raise Refused("このデータベースにはすでに人のデータがあります。空のデータベースで実行してください。")
    # The benchmark accounts have a published password: never beside real staff accounts (a fresh
    # production database migrated from a shell without TSUNAGU_PRODUCTION still has them).
    if get_user_model().objects.exclude(username__in=[p.username for p in PERSONAS]).exists():
        raise Refused("このデータベースにはすでに職員のアカウントがあります。空のデータベースで実行してください。")


def _ids(model: Any) -> Iterator[int]:
    """Ids for new rows of ``model``, after the largest one there."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return itertools.count(last + 1)


@dataclass
class StaffUser:
    id: int
    username: str
    name: str
    agency: Agency
    role: str


@dataclass
class AgencyInfo:
    agency: Agency
    weight: float = 0.0
    caseworkers: list[StaffUser] = field(default_factory=list)
    supervisors: list[StaffUser] = field(default_factory=list)
    desk: list[StaffUser] = field(default_factory=list)
    others: list[StaffUser] = field(default_factory=list)


@dataclass
class Member:
    id: int
    name: str  # display name
    age: int


@dataclass
class Summary:
    seconds: float = 0.0
    persons_seconds: float = 0.0
    tables: list[tuple[str, int, float]] = field(default_factory=list)
    busiest: str = ""
    phases: list[tuple[str, float]] = field(default_factory=list)
    around_seconds: float = 0.0
    around_rows: int = 0


class Population(AroundTheCase):
    def __init__(
        self, *, persons: int, seed: int, as_of: dt.date, stream: TextIO | None = None, persons_only: bool = False
    ) -> None:
        self.persons_only = persons_only
        self.target_persons = persons
        self.seed = seed
        self.rnd = random.Random(seed)
        self.as_of = as_of
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.progress = Progress(stream)
        self.persons_done = 0

    # --- set-up ------------------------------------------------------------------------------

    def _audit_partitions(self) -> None:
        """On PostgreSQL, the access trail's month partitions for the whole history about to be
        written, so that the events land in their months and not in the DEFAULT partition."""
        if connection.vendor != "postgresql":
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if not is_partitioned(cursor, AccessEvent._meta.db_table):
                return
            month = month_start(self.as_of - dt.timedelta(days=HISTORY_DAYS + 60))
            while month <= self.as_of:
                create_month(cursor, AccessEvent._meta.db_table, month)
                month = next_month(month)

    def run(self) -> Summary:
        check_may_run()
        started = time.perf_counter()
        phases: list[tuple[str, float]] = []

        def phase(name: str, since: float) -> float:
            now = time.perf_counter()
            phases.append((name, now - since))
            return now

        with translation.override(settings.LANGUAGE_CODE):
            self._reference()
            self._tables()
            self._audit_partitions()
            mark = phase("reference data and set-up", started)
            with bulk_load(list(self.writer.tables.values()), self.progress.stream):
                self._staff()
                self._places()
                self.progress.start("population", lambda: self.persons_done / self.target_persons)
                self._population()
                self.writer.flush_all()
                mark = phase("generating and writing rows", mark)
            mark = phase("indexes and constraints (PostgreSQL)", mark)
            self.writer.reset_sequences()
            ensure_partitions(connection, today=self.as_of)  # moves any event the DEFAULT partition caught
            _rebuild_derived_state()
            mark = phase("sequences and derived state", mark)
            self._analyze()
            phase("VACUUM ANALYZE", mark)
        summary = Summary(seconds=time.perf_counter() - started, busiest=self.busiest.agency.code, phases=phases)
        summary.persons_seconds = self.persons_seconds
        summary.around_seconds, summary.around_rows = self.around_cost()
        summary.tables = [(t.name, t.written, t.seconds) for t in self.writer.tables.values()]
        return summary

    def _reference(self) -> None:
        if not Agency.objects.exists():
            call_command("load_reference", verbosity=0)
        if not Instrument.objects.exists():
            call_command("load_instruments", verbosity=0)
        # The survey's 「把握率」 divides by the secretariat's estimates (issue 13; never overwritten).
        estimates_seed()
        agencies = list(Agency.objects.filter(active=True).order_by("code"))
        self.agencies = {a.pk: AgencyInfo(a) for a in agencies}
        self.districts = list(District.objects.order_by("code"))
        towns: dict[int, list[str]] = defaultdict(list)
        for pc in PostalCode.objects.order_by("code"):
            towns[pc.district_id].append(pc.code + "\t" + pc.town)
        self.towns = towns
        self.central_desk = next(i for i in self.agencies.values() if i.agency.is_central_desk)
        self.ward_office = next(
            (i for i in self.agencies.values() if i.agency.kind == AgencyKind.WARD_OFFICE), self.central_desk
        )
        leads = [i for i in self.agencies.values() if i.agency.kind in LEAD_KINDS]
        # The busiest agency: the youth agency if there is one; the others get a skewed share.
        self.busiest = next((i for i in leads if i.agency.kind == AgencyKind.YOUTH), leads[0])
        for info in leads:
            info.weight = 1.0 if info is self.busiest else 0.25 + 0.6 * self.rnd.random()
        self.leads = leads
        self.lead_cum = list(itertools.accumulate(i.weight for i in leads))
        self.partners = [i for i in self.agencies.values() if i.agency.kind != AgencyKind.WARD_OFFICE]
        self.instruments = {i.target: i for i in Instrument.objects.filter(active=True).order_by("code", "-version")}
        self._answer_pools: dict[str, list[tuple[str, str, int | None, int | None]]] = {}
        self._around_reference()

    def _tables(self) -> None:
        t = Table
        self.t_user = t(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
        )
        self.t_membership = t(Membership, ["id", "user_id", "agency_id", "role", "active"])
        base = ["id", "created_at", "created_by_id", "updated_at", "updated_by_id", "version"]
        self.t_household = t(
            Household,
            [
                *base,
                "label",
                "postal_code",
                "address",
                "district_id",
                "phone",
                "sig_elderly_parent",
                "sig_adult_child_home",
                "sig_parent_pension",
                "sig_care_need",
                "sig_arrears",
                "sig_refuses_services",
            ],
        )
        self.t_person = t(
            Person,
            [
                *base,
                "household_id",
                "family_name",
                "given_name",
                "family_name_kana",
                "given_name_kana",
                "label",
                "sex",
                "birth_date",
                "approx_decade",
                "relation",
                "is_concerned",
                "disability",
                "withdrawal_since",
                "withdrawal_since_precision",
                "going_out",
                "phone",
                "support_stage",
                "key_name",
                "key_kana",
            ],
        )
        self.t_namekey = t(PersonNameKey, ["id", "person_id", "key"])
        self.t_consultation = t(
            Consultation,
            [
                *base,
                "reference_code",
                "source",
                "received_at",
                "received_by_id",
                "channel",
                "contact_type",
                "contact_relation",
                "contact_agency_id",
                "contact_name",
                "contact_phone",
                "contact_email",
                "contact_note",
                "contact_preference",
                "concerns",
                "main_concern",
                "summary",
                "urgent",
                "screening",
                "screening_note",
                "triaged_at",
                "triaged_by_id",
                "household_id",
                "person_id",
                "case_id",
            ],
        )
        self.t_case = t(
            Case,
            [
                *base,
                "household_id",
                "status",
                "opened_at",
                "closed_at",
                "closure_reason",
                "follow_up_on",
                "lead_worker_id",
            ],
        )
        self.t_team = t(
            CaseAgency,
            [
                "id",
                "case_id",
                "agency_id",
                "role",
                "since",
                "until",
                "sharing_basis",
                "basis_note",
                "consent_id",
                "note",
            ],
        )
        self.t_consent = t(Consent, [*base, "person_id", "purpose", "method", "given_on", "expires_on", "withdrawn_on"])
        self.t_consent_agencies = t(Consent.agencies.through, ["id", "consent_id", "agency_id"])
        self.t_timeline = t(TimelineEntry, ["id", "case_id", "at", "kind", "object_id", "summary", "user_id"])
        self.t_record = t(
            ProgressRecord,
            [*base, "case_id", "occurred_on", "method", "reached", "summary", "next_action", "next_action_on"],
        )
        self.t_record_persons = t(ProgressRecord.persons.through, ["id", "progressrecord_id", "person_id"])
        self.t_assessment = t(
            Assessment,
            [
                *base,
                "case_id",
                "person_id",
                "instrument_id",
                "target",
                "status",
                "assessed_on",
                "assessed_by_id",
                "answers",
                "scores",
                "going_out",
                "support_stage",
                "pathway",
            ],
        )
        self.t_plan = t(
            SupportPlan,
            [
                *base,
                "case_id",
                "number",
                "supersedes_id",
                "status",
                "review_on",
                "submitted_at",
                "decided_at",
                "decided_by_id",
                "comment",
            ],
        )
        self.t_goal = t(
            Goal, ["id", "plan_id", "order", "target", "person_id", "text", "status", "action", "owner_id", "due_on"]
        )
        self.t_referral = t(
            Referral,
            [
                *base,
                "case_id",
                "person_id",
                "from_agency_id",
                "to_agency_id",
                "reason",
                "summary",
                "sharing_basis",
                "basis_note",
                "consent_id",
                "accompanied",
                "requested_at",
                "due_on",
                "status",
                "decline_reason",
                "answer_comment",
                "answered_at",
                "answered_by_id",
                "first_met_on",
                "withdrawn_at",
                "question_open",
                "escalated_at",
                "sender_seen_at",
                "member_id",
            ],
        )
        self.t_referral_event = t(ReferralEvent, ["id", "referral_id", "at", "kind", "user_id", "text"])
        self.t_meeting = t(
            Meeting, [*base, "kind", "title", "held_at", "place", "organiser_id", "other_attendees", "minutes"]
        )
        self.t_meeting_agencies = t(Meeting.agencies.through, ["id", "meeting_id", "agency_id"])
        self.t_meeting_attendees = t(Meeting.attendees.through, ["id", "meeting_id", "user_id"])
        self.t_meeting_case = t(MeetingCase, ["id", "meeting_id", "case_id", "added_at", "added_by_id"])
        self.t_decision = t(
            Decision, [*base, "meeting_id", "case_id", "text", "owner_id", "due_on", "done_at", "done_by_id"]
        )
        self._around_tables(t, base)
        self.t_event = t(
            AccessEvent,
            [
                "id",
                "at",
                "user_id",
                "username",
                "action",
                "object_type",
                "object_ids",
                "person_ids",
                "case_id",
                "ip",
                "path",
                "reason",
                "basis",
            ],
        )
        tables = [v for v in vars(self).values() if isinstance(v, Table)]
        self.writer = Writer(tables, progress=self.progress)
        self.ids = {tbl.name: _ids(tbl.model) for tbl in tables}

    def _next(self, table: Table) -> int:
        return next(self.ids[table.name])

    # --- staff -------------------------------------------------------------------------------

    def _staff(self) -> None:
        rnd = self.rnd
        joined = self._at(self.as_of - dt.timedelta(days=HISTORY_DAYS + 30), 9 * 3600)
        unusable = "!" + hashlib.sha256(f"tsunagu-population-{self.seed}".encode()).hexdigest()[:40]
        total_weight = self.lead_cum[-1]
        expected_open = self.target_persons / 2.05 * CASE_SHARE * 0.60
        self.users: dict[int, StaffUser] = {}

        def add(username: str, info: AgencyInfo, role: str, password: str = unusable) -> StaffUser:
            uid = self._next(self.t_user)
            fam, _kana = names.FAMILY[names.surname_index(rnd.random())]
            given = rnd.choice(names.GIVEN)[0]
            self.writer.add(self.t_user, (uid, password, None, False, username, given, fam, "", True, True, joined))
            self.writer.add(self.t_membership, (self._next(self.t_membership), uid, info.agency.pk, role, True))
            user = StaffUser(uid, username, f"{fam} {given}", info.agency, role)
            self.users[uid] = user
            {
                Role.CASEWORKER: info.caseworkers,
                Role.SUPERVISOR: info.supervisors,
                Role.DESK: info.desk,
            }.get(role, info.others).append(user)  # type: ignore[call-overload]
            return user

        # The benchmark's accounts first (personas.py), with the benchmark password.
        salt = hashlib.sha256(f"bench-{self.seed}".encode()).hexdigest()[:22]
        bench = make_password(bench_password(), salt=salt)
        homes = {"central_desk": self.central_desk, "busiest": self.busiest, "ward_office": self.ward_office}
        self.personas: dict[str, StaffUser] = {}
        for persona in PERSONAS:
            self.personas[persona.username] = add(persona.username, homes[persona.agency], persona.role, bench)
        # Ordinary staff of every agency, as many caseworkers as its expected open caseload needs.
        for info in self.agencies.values():
            code = info.agency.code
            if info.weight:
                opens = expected_open * info.weight / total_weight
                workers = max(2, round(opens / CASES_PER_WORKER))
                for n in range(workers):
                    add(f"staff-{code}-{n + 1:03d}", info, Role.CASEWORKER)
                for n in range(1 + workers // 15):
                    add(f"staff-{code}-sv{n + 1:02d}", info, Role.SUPERVISOR)
            elif info.agency.kind == AgencyKind.WARD_OFFICE:
                add(f"staff-{code}-001", info, Role.SECRETARIAT)
            else:
                for n in range(2):
                    add(f"staff-{code}-{n + 1:03d}", info, Role.PARTNER)
        desk = self.central_desk
        for n in range(max(2, round(self.target_persons / 40_000))):
            add(f"staff-{desk.agency.code}-desk{n + 1:02d}", desk, Role.DESK)
        self.bench_worker = self.personas["bench-worker"]
        # The benchmark worker takes exactly its own cases: not drawn for the others.
        self.busiest.caseworkers.remove(self.bench_worker)
        self.writer.flush_all()
        # The benchmark's accounts sign in with their second factor too: an authenticator app each,
        # whose codes the benchmark's client reads from the database (demo/second_factor.py).
        TOTPDevice.objects.bulk_create(
            TOTPDevice(user_id=persona.id, name="bench", confirmed=True) for persona in self.personas.values()
        )

    # --- time helpers ------------------------------------------------------------------------

    def _at(self, day: dt.date, seconds: int) -> dt.datetime:
        """An aware datetime ``seconds`` after local midnight of ``day``."""
        return self._midnight(day) + dt.timedelta(seconds=seconds)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one generator per run)
    def _midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=self.tz).astimezone(dt.UTC)

    def _office(self, day: dt.date) -> dt.datetime:
        """A moment of office hours on ``day``."""
        return self._at(day, 9 * 3600 + int(self.rnd.random() * 8 * 3600))

    @staticmethod
    @functools.lru_cache(maxsize=8192)
    def _due(sent_on: dt.date, days: int) -> dt.date:
        return add_business_days(sent_on, days)

    @staticmethod
    @functools.lru_cache(maxsize=8192)
    def _wareki(day: dt.date) -> str:
        return format_wareki(day)

    # --- the population ------------------------------------------------------------------------

    def _population(self) -> None:
        rnd = self.rnd
        started = time.perf_counter()
        self.persons_seconds = 0.0
        self.status_values, self.status_cum = _cumulative(STATUS_SHARES)
        self.referral_values, self.referral_cum = _cumulative(REFERRAL_SHARES)
        self.meeting_values, self.meeting_cum = _cumulative(CASE_MEETING_KINDS)
        self.codes: set[str] = set()
        self.pending_meetings: dict[int, list[tuple[int, list[int], int, set[int], int]]] = defaultdict(list)
        # The benchmark worker's cases come first, the first one with the long history; then a few
        # referrals into the busiest agency's inbox in every state (personas.py).
        self.forced_worker_cases = WORKER_CASES if self.target_persons >= 5_000 else max(3, self.target_persons // 20)
        self.inbox_states = list(ReferralStatus.values)
        persons_table = (self.t_household, self.t_person, self.t_namekey)
        while self.persons_done < self.target_persons:
            self._household()
            if rnd.random() < 0.002:
                self._flush_meetings(final=False)
        self._flush_meetings(final=True)
        self._councils()
        self._around_after()
        self.writer.flush_all()
        self.progress.tick(self.writer, force=True)
        self.population_seconds = time.perf_counter() - started
        # The persons-only share: what writing households, persons and name keys cost, plus
        # their share of the drawing (P8 budgets the persons alone).
        self.persons_seconds = sum(t.seconds for t in persons_table)

    def _household(self) -> None:
        rnd = self.rnd
        w = self.writer
        hid = self._next(self.t_household)
        district = self.districts[int(rnd.random() * len(self.districts))]
        towns = self.towns.get(district.pk) or [f"\t{district.name}"]
        postal, town = rnd.choice(towns).split("\t")
        fam, fam_kana = names.FAMILY[names.surname_index(rnd.random())]
        left = self.target_persons - self.persons_done
        size = min(left, (1, 1, 1, 2, 2, 2, 2, 3, 3, 4)[int(rnd.random() * 10)])
        has_case = (rnd.random() < CASE_SHARE or self.forced_worker_cases > 0) and not self.persons_only
        consult_only = not has_case and rnd.random() < CONSULT_ONLY_SHARE and not self.persons_only
        known_since = self.as_of - dt.timedelta(days=int(rnd.random() * HISTORY_DAYS))
        created = self._office(known_since)
        desk_user = rnd.choice(self.central_desk.desk)
        elderly = size >= 2 and rnd.random() < 0.45
        address = f"{town}{1 + int(rnd.random() * 5)}丁目{1 + int(rnd.random() * 30)}-{1 + int(rnd.random() * 20)}"
        w.add(
            self.t_household,
            (
                hid,
                created,
                desk_user.id,
                created,
                desk_user.id,
                1,
                f"{fam}さん宅",
                postal[:3] + "-" + postal[3:] if postal else "",
                address,
                district.pk,
                "",
                elderly,
                elderly and rnd.random() < 0.5,
                elderly and rnd.random() < 0.4,
                elderly and rnd.random() < 0.2,
                rnd.random() < 0.08,
                rnd.random() < 0.1,
            ),
        )
        members: list[Member] = []
        concerned = -1
        today = self.as_of
        for n in range(size):
            pid = self._next(self.t_person)
            if n == 0:
                relation = Relation.SELF
                age = 20 + int(rnd.random() * 50) if size == 1 else 55 + int(rnd.random() * 33)
            elif n == 1 and size >= 3:
                relation = Relation.SPOUSE
                age = max(40, members[0].age - 3 + int(rnd.random() * 6))
            else:
                relation = Relation.SON if rnd.random() < 0.62 else Relation.DAUGHTER
                head = members[0].age
                age = max(12, min(head - 20, 15 + int(rnd.random() * 45)))
            if relation == Relation.SPOUSE:
                sex = Sex.FEMALE if rnd.random() < 0.85 else Sex.MALE
            elif relation == Relation.SON:
                sex = Sex.MALE
            elif relation == Relation.DAUGHTER:
                sex = Sex.FEMALE
            else:
                sex = Sex.MALE if rnd.random() < 0.5 else Sex.FEMALE
            is_concerned = (has_case or consult_only) and (n == size - 1)
            anonymous = rnd.random() < 0.02 and n > 0
            birth = today - dt.timedelta(days=int((age + rnd.random()) * 365.2425))
            if anonymous:
                # Known only as "the eldest son (in his 40s)": no name, no birth date, a decade.
                given = given_kana = family = family_kana = ""
                label = str(Relation(relation).label) + f"（{min(age // 10 * 10, 80)}代）"
                birth_date, decade = None, min(max(age // 10 * 10, 10), 80)
            else:
                pool = names.GIVEN_MALE if sex == Sex.MALE else names.GIVEN_FEMALE
                given, given_kana = pool[int(rnd.random() * len(pool))]
                family, family_kana = fam, fam_kana
                label, birth_date, decade = "", birth, None
            key_name = kana.search_key(family + given)
            key_kana = kana.search_key(family_kana + given_kana)
            withdrawal = None
            going_out = None
            if is_concerned:
                withdrawal = birth + dt.timedelta(days=int((16 + rnd.random() * max(1, age - 16)) * 365))
                withdrawal = min(withdrawal, today - dt.timedelta(days=200))
                withdrawal = dt.date(withdrawal.year, 1, 1) if rnd.random() < 0.5 else withdrawal
                going_out = 5 + int(rnd.random() * 4)
            precision = "year" if withdrawal is not None and withdrawal.month == 1 and withdrawal.day == 1 else "day"
            w.add(
                self.t_person,
                (
                    pid,
                    created,
                    desk_user.id,
                    created,
                    desk_user.id,
                    1,
                    hid,
                    family,
                    given,
                    family_kana,
                    given_kana,
                    label,
                    sex,
                    birth_date,
                    decade,
                    relation,
                    is_concerned,
                    Disability.UNKNOWN if not is_concerned else rnd.choice(Disability.values),
                    withdrawal,
                    precision,
                    going_out,
                    "",
                    None,
                    key_name,
                    key_kana,
                ),
            )
            for key in _name_keys(family, given, family_kana, given_kana):
                w.add(self.t_namekey, (self._next(self.t_namekey), pid, key))
            display = f"{family} {given}".strip() or label
            members.append(Member(pid, display, age))
            if is_concerned:
                concerned = n
            self.persons_done += 1
        if has_case:
            self._case(hid, members, members[concerned], known_since)
        elif consult_only:
            self._consultation_only(hid, members, members[concerned], known_since)

    # --- consultations -------------------------------------------------------------------------

    def _code(self) -> str:
        rnd = self.rnd
        while True:
            raw = "".join(_CODE_ALPHABET[int(rnd.random() * len(_CODE_ALPHABET))] for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _consultation(
        self,
        *,
        hid: int | None,
        person: Member | None,
        received: dt.datetime,
        screening: str,
        triaged: dt.datetime | None,
        case_id: int | None,
    ) -> tuple[int, str]:
        """One consultation; returns its id and the timeline summary intake would write."""
        rnd = self.rnd
        cid = self._next(self.t_consultation)
        code = self._code()
        channel = rnd.choice(Channel.values)
        source = Source.PUBLIC_FORM if channel == Channel.ONLINE_FORM else Source.DESK
        contact_type = rnd.choice(
            (ContactType.FAMILY, ContactType.FAMILY, ContactType.SELF, ContactType.AGENCY, ContactType.NEIGHBOUR)
        )
        relation = rnd.choice(FamilyRelation.values) if contact_type == ContactType.FAMILY else ""
        contact_agency = rnd.choice(self.partners).agency if contact_type == ContactType.AGENCY else None
        concerns = sorted(rnd.sample(Concern.values, 1 + int(rnd.random() * 3)))
        summary = SUMMARIES[int(rnd.random() * len(SUMMARIES))]
        desk_user = rnd.choice(self.central_desk.desk)
        receiver = None if source == Source.PUBLIC_FORM else desk_user.id
        urgent = rnd.random() < 0.03
        self.writer.add(
            self.t_consultation,
            (
                cid,
                received,
                receiver,
                triaged or received,
                desk_user.id if triaged else receiver,
                2 if triaged else 1,
                code,
                source,
                received,
                receiver,
                channel,
                contact_type,
                relation,
                contact_agency.pk if contact_agency else None,
                "",
                "",
                "",
                "",
                "may_contact",
                json.dumps(concerns),
                concerns[0],
                summary,
                urgent,
                screening,
                "",
                triaged,
                desk_user.id if triaged else None,
                hid if triaged else None,
                person.id if (triaged and person) else None,
                case_id,
            ),
        )
        self._event(
            received,
            receiver,
            Action.CREATE,
            "consultation",
            [cid],
            [],
            None,
            "/consult/" if receiver is None else "/staff/desk/consultations/new/",
        )
        who = str(ContactType(contact_type).label)
        if contact_type == ContactType.FAMILY and relation:
            who = f"{who}（{FamilyRelation(relation).label}）"
        if contact_agency is not None:
            who = f"{who}（{contact_agency.name}）"
        return cid, f"{code}（{Channel(channel).label}・{who}）{summary[:80]}"

    def _consultation_only(self, hid: int, members: list[Member], person: Member, since: dt.date) -> None:
        rnd = self.rnd
        u = rnd.random()
        if u < 0.3:  # still in the desk's queue: recent
            received = self._office(self.as_of - dt.timedelta(days=int(rnd.random() * 10)))
            self._consultation(hid=None, person=None, received=received, screening="", triaged=None, case_id=None)
            return
        received = self._office(since)
        triaged = received + dt.timedelta(hours=1 + int(rnd.random() * 72))
        screening = Screening.INFO_ONLY if u < 0.7 else Screening.REFER
        self._consultation(
            hid=hid, person=person, received=received, screening=screening, triaged=triaged, case_id=None
        )

    # --- access events -------------------------------------------------------------------------

    def _event(
        self,
        at: dt.datetime,
        user_id: int | None,
        action: str,
        object_type: str,
        object_ids: list[int],
        person_ids: list[int],
        case_id: int | None,
        path: str,
        basis: str = "",
        reason: str = "",
    ) -> None:
        username = self.users[user_id].username if user_id else ""
        self.writer.add(
            self.t_event,
            (
                self._next(self.t_event),
                at,
                user_id,
                username,
                action,
                object_type,
                "[" + ", ".join(map(str, sorted(set(object_ids)))) + "]",
                "[" + ", ".join(map(str, sorted(set(person_ids)))) + "]",
                case_id,
                f"10.20.{user_id % 250 if user_id else 0}.{(user_id or 0) // 250 % 250 + 1}",
                path,
                reason,
                basis,
            ),
        )

    def _timeline(
        self, case_id: int, at: dt.datetime, kind: str, summary: str, user_id: int | None, object_id: int | None = None
    ) -> None:
        self.writer.add(
            self.t_timeline, (self._next(self.t_timeline), case_id, at, kind, object_id, summary[:300], user_id)
        )

    # --- a case and its history ----------------------------------------------------------------

    def _draw_lead(self) -> AgencyInfo:
        u = self.rnd.random() * self.lead_cum[-1]
        return self.leads[bisect.bisect_right(self.lead_cum, u)]

    def _case(self, hid: int, members: list[Member], person: Member, since: dt.date) -> None:
        rnd = self.rnd
        forced = self.forced_worker_cases > 0
        long_history = forced and self.forced_worker_cases == (
            WORKER_CASES if self.target_persons >= 5_000 else max(3, self.target_persons // 20)
        )
        if forced:
            self.forced_worker_cases -= 1
            lead = self.busiest
            status = CaseStatus.ACTIVE
        else:
            lead = self._draw_lead()
            status = self.status_values[bisect.bisect_right(self.status_cum, rnd.random())]
        # When it opened, from its status: received cases are new, closed ones old.
        if status == CaseStatus.RECEIVED:
            age_days = int(rnd.random() * 40)
        elif long_history:
            age_days = HISTORY_DAYS
        else:
            age_days = 60 + int(rnd.random() * (HISTORY_DAYS - 60))
        opened_day = self.as_of - dt.timedelta(days=age_days)
        desk_user = rnd.choice(self.central_desk.desk)
        received = self._office(opened_day - dt.timedelta(days=int(rnd.random() * 5)))
        opened_at = self._office(opened_day)
        opened_at = max(opened_at, received + dt.timedelta(minutes=30))
        case_id = self._next(self.t_case)
        member_ids = [m.id for m in members]
        if forced:
            worker: StaffUser | None = self.bench_worker
        elif status == CaseStatus.RECEIVED and rnd.random() < 0.5:
            worker = None
        else:
            worker = rnd.choice(lead.caseworkers)
        # Closing
        closed_at = None
        closure = ""
        follow_up = None
        end_day = self.as_of
        if status == CaseStatus.CLOSED:
            closed_day = opened_day + dt.timedelta(days=30 + int(rnd.random() * max(1, age_days - 30)))
            closed_day = min(closed_day, self.as_of - dt.timedelta(days=1))
            closed_at = self._office(closed_day)
            closure = rnd.choice(ClosureReason.values)
            follow_up = closed_day + dt.timedelta(days=90) if rnd.random() < 0.3 else None
            end_day = closed_day
        # The team: the lead and perhaps a partner, on consent or a support meeting's basis.
        lead_basis = SharingBasis.CONSENT if rnd.random() < 0.8 else SharingBasis.MEETING_ART9
        team: list[tuple[AgencyInfo, str, dt.date]] = [(lead, lead_basis, opened_day)]
        if rnd.random() < 0.3:
            partner = rnd.choice(self.partners)
            if partner is not lead:
                team.append((partner, lead_basis, opened_day))
        # Referrals: drawn now so that the consent names every agency shared with on consent.
        referrals = self._draw_referrals(case_id, lead, team, status, opened_day, end_day, forced, long_history)
        consent_agencies = [i.agency for i, basis, _d in team if basis == SharingBasis.CONSENT]
        consent_agencies += [r["to"].agency for r in referrals if r["basis"] == SharingBasis.CONSENT]
        consent_agencies = list({a.pk: a for a in consent_agencies}.values())
        updated = closed_at or opened_at
        creator = desk_user.id
        self.writer.add(
            self.t_case,
            (
                case_id,
                opened_at,
                creator,
                updated,
                worker.id if worker else creator,
                1,
                hid,
                status,
                opened_at,
                closed_at,
                closure,
                follow_up,
                worker.id if worker else None,
            ),
        )
        # Intake: the consultation, triaged into this case (intake.services.consultation_triage).
        triaged = opened_at
        cid, consult_summary = self._consultation(
            hid=hid, person=person, received=received, screening=Screening.CONTINUE, triaged=triaged, case_id=case_id
        )
        team_names = "、".join(i.agency.name for i, _b, _d in team)
        self._timeline(
            case_id, opened_at, TimelineKind.OPENED, _("ケース開始（担当：%(team)s）") % {"team": team_names}, creator
        )
        self._event(
            opened_at,
            creator,
            Action.CREATE,
            "case",
            [case_id],
            member_ids,
            case_id,
            f"/staff/desk/consultations/{cid}/triage/",
        )
        self._timeline(case_id, received, TimelineKind.CONSULTATION, consult_summary, creator, cid)
        consent_id = None
        if consent_agencies:
            consent_id = self._consent(case_id, person, consent_agencies, opened_day, worker or desk_user)
        for info, basis, day in team:
            self.writer.add(
                self.t_team,
                (
                    self._next(self.t_team),
                    case_id,
                    info.agency.pk,
                    TeamRole.LEAD if info is lead else TeamRole.PARTNER,
                    day,
                    None,
                    basis,
                    "",
                    consent_id if basis == SharingBasis.CONSENT else None,
                    "",
                ),
            )
        if worker is not None:
            at = opened_at + dt.timedelta(hours=2)
            self._timeline(
                case_id,
                at,
                TimelineKind.LEAD_WORKER,
                _("主担当者：%(name)s") % {"name": worker.name},
                (lead.supervisors or [worker])[0].id,
            )
            self._event(
                at,
                (lead.supervisors or [worker])[0].id,
                Action.UPDATE,
                "case",
                [case_id],
                [],
                case_id,
                f"/staff/cases/{case_id}/lead-worker/",
            )
        actor = worker or desk_user
        if status != CaseStatus.RECEIVED:
            self._status(
                case_id,
                opened_day + dt.timedelta(days=3 + int(rnd.random() * 15)),
                CaseStatus.RECEIVED,
                CaseStatus.ACTIVE,
                actor,
            )
        before = CaseStatus.ACTIVE
        if status == CaseStatus.WATCHING or (status == CaseStatus.CLOSED and rnd.random() < 0.4):
            day = opened_day + dt.timedelta(days=int((end_day - opened_day).days * 0.7))
            self._status(case_id, day, CaseStatus.ACTIVE, CaseStatus.WATCHING, actor)
            before = CaseStatus.WATCHING
        if status == CaseStatus.CLOSED:
            assert closed_at is not None
            self._closing(case_id, closed_at, before, closure, follow_up, actor)
        # History
        n_records = self._record_count(status, long_history, (end_day - opened_day).days)
        self._records(case_id, members, person, worker, lead, opened_day, end_day, n_records, status)
        if status != CaseStatus.RECEIVED:
            self._assessments(case_id, members, person, actor, opened_day, end_day)
            if (end_day - opened_day).days > 45:
                self._plans(case_id, person, actor, lead, team, opened_day, end_day)
        self._write_referrals(case_id, members, person, lead, referrals, consent_id, actor)
        if status in (CaseStatus.ACTIVE, CaseStatus.WATCHING) and (long_history or rnd.random() < 0.12):
            self.pending_meetings[lead.agency.pk].append(
                (
                    case_id,
                    member_ids,
                    (worker or actor).id,
                    {i.agency.pk for i, b, d in team if b == SharingBasis.CONSENT},
                    1 if long_history else 0,
                )
            )
        self._reads(case_id, member_ids, lead, worker, team, opened_day, end_day, n_records)
        self._around_case(case_id, person, member_ids, lead, worker, status, opened_day, end_day, long_history)

    def _status(self, case_id: int, day: dt.date, before: str, after: str, actor: StaffUser) -> None:
        at = self._office(min(day, self.as_of))
        summary = f"{CaseStatus(before).label} → {CaseStatus(after).label}"
        self._timeline(case_id, at, TimelineKind.STATUS, summary, actor.id)
        self._event(at, actor.id, Action.UPDATE, "case", [case_id], [], case_id, f"/staff/cases/{case_id}/status/")

    def _closing(
        self, case_id: int, at: dt.datetime, before: str, reason: str, follow_up: dt.date | None, actor: StaffUser
    ) -> None:
        summary = f"{CaseStatus(before).label} → {CaseStatus.CLOSED.label}（{ClosureReason(reason).label}"
        if follow_up:
            summary += "、" + _("フォローアップ %(date)s") % {"date": self._wareki(follow_up)}
        summary += "）"
        self._timeline(case_id, at, TimelineKind.STATUS, summary, actor.id)
        self._event(at, actor.id, Action.UPDATE, "case", [case_id], [], case_id, f"/staff/cases/{case_id}/status/")

    def _consent(self, case_id: int, person: Member, agencies: list[Agency], day: dt.date, actor: StaffUser) -> int:
        consent_id = self._next(self.t_consent)
        at = self._office(day)
        method = ConsentMethod.WRITTEN if self.rnd.random() < 0.7 else ConsentMethod.ORAL
        self.writer.add(
            self.t_consent,
            (
                consent_id,
                at,
                actor.id,
                at,
                actor.id,
                1,
                person.id,
                "支援機関の間で支援に必要な情報を共有するため",
                method,
                day,
                None,
                None,
            ),
        )
        for agency in agencies:
            self.writer.add(self.t_consent_agencies, (self._next(self.t_consent_agencies), consent_id, agency.pk))
        summary = _("%(person)s の同意（%(method)s）：%(agencies)s") % {
            "person": person.name,
            "method": ConsentMethod(method).label,
            "agencies": "、".join(a.name for a in agencies),
        }
        self._timeline(case_id, at, TimelineKind.CONSENT, summary, actor.id, consent_id)
        self._event(
            at, actor.id, Action.CREATE, "consent", [consent_id], [person.id], None, f"/staff/cases/{case_id}/consents/"
        )
        return consent_id

    def _record_count(self, status: str, long_history: bool, days: int) -> int:
        if long_history:
            return LONG_HISTORY
        if status == CaseStatus.RECEIVED:
            return int(self.rnd.random() * 4)
        n = int(self.rnd.lognormvariate(RECORDS_MU, RECORDS_SIGMA))
        return max(1, min(n, RECORDS_MAX, days * 3))

    def _records(
        self,
        case_id: int,
        members: list[Member],
        person: Member,
        worker: StaffUser | None,
        lead: AgencyInfo,
        start: dt.date,
        end: dt.date,
        count: int,
        status: str,
    ) -> None:
        if count == 0:
            return
        rnd = self.rnd
        w = self.writer
        t_record, t_persons, t_timeline, t_event = self.t_record, self.t_record_persons, self.t_timeline, self.t_event
        next_record, next_rp = self.ids[t_record.name], self.ids[t_persons.name]
        next_tl, next_ev = self.ids[t_timeline.name], self.ids[t_event.name]
        span = max(1, (end - start).days)
        days = sorted(int(rnd.random() * span) + 1 for _ in range(count))
        reach = 0.45 + 0.5 * rnd.random()
        authors = [worker] if worker else []
        authors += lead.caseworkers[:2] if lead.caseworkers else [rnd.choice(self.central_desk.desk)]
        parent = members[0] if members[0] is not person else None
        path = f"/staff/records/cases/{case_id}/new/"
        open_case = status != CaseStatus.CLOSED
        texts = _record_texts()
        for n, offset in enumerate(days):
            rid = next(next_record)
            day = start + dt.timedelta(days=offset)
            if day > self.as_of:
                day = self.as_of
            reached = rnd.random() < reach
            method = METHODS[int(rnd.random() * len(METHODS))]
            text_index = int(rnd.random() * len(RECORD_TEXTS[reached]))
            summary, timeline_summary = texts[(method, reached, text_index)]
            author = authors[0] if rnd.random() < 0.85 else authors[int(rnd.random() * len(authors))]
            last = n == count - 1
            if (last and open_case) or rnd.random() < 0.25:
                next_action = NEXT_ACTIONS[int(rnd.random() * len(NEXT_ACTIONS))]
                next_on = day + dt.timedelta(days=3 + int(rnd.random() * 30))
            else:
                next_action, next_on = "", None
            typed = self._at(day, 10 * 3600 + int(rnd.random() * 9 * 3600))
            w.add(
                t_record,
                (
                    rid,
                    typed,
                    author.id,
                    typed,
                    author.id,
                    1,
                    case_id,
                    day,
                    method,
                    reached,
                    summary,
                    next_action,
                    next_on,
                ),
            )
            pids = [person.id] if parent is None or rnd.random() < 0.7 else [person.id, parent.id]
            for pid in pids:
                w.add(t_persons, (next(next_rp), rid, pid))
            w.add(
                t_timeline,
                (next(next_tl), case_id, self._midnight(day), TimelineKind.RECORD, rid, timeline_summary, author.id),
            )
            w.add(
                t_event,
                (
                    next(next_ev),
                    typed,
                    author.id,
                    author.username,
                    Action.CREATE,
                    "record",
                    f"[{rid}]",
                    "[" + ", ".join(map(str, sorted(pids))) + "]",
                    case_id,
                    "10.20.1.1",
                    path,
                    "",
                    "",
                ),
            )

    def _reads(
        self,
        case_id: int,
        member_ids: list[int],
        lead: AgencyInfo,
        worker: StaffUser | None,
        team: list[tuple[AgencyInfo, str, dt.date]],
        start: dt.date,
        end: dt.date,
        n_records: int,
    ) -> None:
        """The reads the doors recorded: the case page, a record, a person, a household."""
        rnd = self.rnd
        w = self.writer
        t_event = self.t_event
        next_ev = self.ids[t_event.name]
        readers = [worker] if worker else []
        for info, _basis, _day in team:
            readers += info.caseworkers[:3] + info.supervisors[:1]
        if not readers:
            return
        count = int(n_records * 1.25) + 3
        span = max(1, (end - start).days)
        persons = "[" + ", ".join(map(str, sorted(member_ids))) + "]"
        case_path = f"/staff/cases/{case_id}/"
        for _n in range(count):
            reader = readers[0] if rnd.random() < 0.6 else readers[int(rnd.random() * len(readers))]
            at = self._at(start + dt.timedelta(days=int(rnd.random() * span)), 8 * 3600 + int(rnd.random() * 36000))
            u = rnd.random()
            if u < 0.8:
                row = (
                    next(next_ev),
                    at,
                    reader.id,
                    reader.username,
                    Action.VIEW,
                    "case",
                    f"[{case_id}]",
                    persons,
                    case_id,
                    "10.20.1.1",
                    case_path,
                    "",
                    "team",
                )
            elif u < 0.95:
                pid = member_ids[int(rnd.random() * len(member_ids))]
                row = (
                    next(next_ev),
                    at,
                    reader.id,
                    reader.username,
                    Action.VIEW,
                    "person",
                    f"[{pid}]",
                    f"[{pid}]",
                    None,
                    "10.20.1.1",
                    f"/staff/people/persons/{pid}/",
                    "",
                    "team",
                )
            else:
                row = (
                    next(next_ev),
                    at,
                    reader.id,
                    reader.username,
                    Action.LIST,
                    "case",
                    f"[{case_id}]",
                    "[]",
                    None,
                    "10.20.1.1",
                    "/staff/cases/",
                    "",
                    "",
                )
            w.add(t_event, row)

    def _assessments(
        self, case_id: int, members: list[Member], person: Member, actor: StaffUser, start: dt.date, end: dt.date
    ) -> None:
        rnd = self.rnd
        span = max(1, (end - start).days)
        wanted = [Target.PERSON] + ([Target.PERSON] if rnd.random() < 0.3 else [])
        wanted += [Target.FAMILY] if rnd.random() < 0.3 else []
        for n, target in enumerate(wanted):
            instrument = self.instruments.get(target)
            if instrument is None:
                continue
            day = start + dt.timedelta(days=min(span, 7 + int(rnd.random() * 50) + n * int(span / 2)))
            day = min(day, self.as_of)
            answers, scores, going_out, stage, pathway = self._answers(instrument)
            status = AssessmentStatus.COMPLETE if rnd.random() < 0.9 else AssessmentStatus.DRAFT
            aid = self._next(self.t_assessment)
            at = self._office(day)
            pid = person.id if target == Target.PERSON else None
            self.writer.add(
                self.t_assessment,
                (
                    aid,
                    at,
                    actor.id,
                    at,
                    actor.id,
                    1,
                    case_id,
                    pid,
                    instrument.pk,
                    target,
                    status,
                    day,
                    actor.id,
                    answers,
                    scores,
                    going_out,
                    stage,
                    pathway,
                ),
            )
            who = person.name if target == Target.PERSON else _("家族")
            self._timeline(
                case_id,
                at,
                TimelineKind.ASSESSMENT,
                f"{instrument.name}：{who}（{AssessmentStatus(status).label}）",
                actor.id,
                aid,
            )
            self._event(
                at,
                actor.id,
                Action.CREATE,
                "assessment",
                [aid],
                [pid] if pid else [],
                case_id,
                f"/staff/assessments/cases/{case_id}/family/new/"
                if pid is None
                else f"/staff/assessments/cases/{case_id}/persons/{pid}/new/",
            )

    def _answers(self, instrument: Instrument) -> tuple[str, str, int | None, int | None, str]:
        """Complete answers to ``instrument`` from a pool of 64, scored by the instrument's rules,
        with the fields ``assessments.services`` derives from them."""
        pool = self._answer_pools.get(instrument.code)
        if pool is None:
            pool = []
            rnd = random.Random(f"{self.seed}-{instrument.code}")
            for _n in range(64):
                answers: dict[str, Any] = {}
                for item in spec.items_of(instrument.definition):
                    answers[item["id"]] = _answer(rnd, item, self.as_of)
                scores = spec.score(instrument.definition, answers)

                def as_int(value: Any) -> int | None:
                    try:
                        return int(value)
                    except (TypeError, ValueError):
                        return None

                pool.append(
                    (
                        json.dumps(answers, ensure_ascii=False),
                        json.dumps(scores, ensure_ascii=False),
                        as_int(answers.get("going_out")),
                        as_int(answers.get("support_stage")),
                        answer_text(answers.get(PATHWAY_ITEM)),
                    )
                )
            self._answer_pools[instrument.code] = pool
        return pool[int(self.rnd.random() * len(pool))]

    def _plans(
        self,
        case_id: int,
        person: Member,
        actor: StaffUser,
        lead: AgencyInfo,
        team: list[tuple[AgencyInfo, str, dt.date]],
        start: dt.date,
        end: dt.date,
    ) -> None:
        rnd = self.rnd
        versions = 2 if rnd.random() < 0.35 else 1
        supervisor = (lead.supervisors or [actor])[0]
        previous = None
        span = (end - start).days
        for number in range(1, versions + 1):
            pid = self._next(self.t_plan)
            made = start + dt.timedelta(days=int(span * (0.15 if number == 1 else 0.6)))
            created = self._office(made)
            submitted = created + dt.timedelta(days=1)
            decided = submitted + dt.timedelta(days=2)
            last = number == versions
            if not last:
                status = PlanStatus.SUPERSEDED
            else:
                status = rnd.choice(
                    (
                        PlanStatus.APPROVED,
                        PlanStatus.APPROVED,
                        PlanStatus.APPROVED,
                        PlanStatus.SUBMITTED,
                        PlanStatus.DRAFT,
                    )
                )
            is_decided = status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)
            updated = decided if is_decided else (submitted if status == PlanStatus.SUBMITTED else created)
            self.writer.add(
                self.t_plan,
                (
                    pid,
                    created,
                    actor.id,
                    updated,
                    actor.id,
                    1,
                    case_id,
                    number,
                    previous,
                    status,
                    made + dt.timedelta(days=180),
                    submitted if status != PlanStatus.DRAFT else None,
                    decided if is_decided else None,
                    supervisor.id if is_decided else None,
                    "",
                ),
            )
            goals = 2 + int(rnd.random() * 3)
            goal_persons = []
            for order in range(goals):
                target = (GoalTarget.PERSON, GoalTarget.PERSON, GoalTarget.FAMILY, GoalTarget.HOUSEHOLD)[order % 4]
                gperson = person.id if target == GoalTarget.PERSON else None
                if gperson:
                    goal_persons.append(gperson)
                owner = rnd.choice(team)[0].agency.pk
                gstatus = GoalStatus.OPEN if last else rnd.choice(GoalStatus.values)
                self.writer.add(
                    self.t_goal,
                    (
                        self._next(self.t_goal),
                        pid,
                        order,
                        target,
                        gperson,
                        rnd.choice(GOAL_TEXTS[target]),
                        gstatus,
                        "面談で確認する",
                        owner,
                        made + dt.timedelta(days=90),
                    ),
                )
            steps = [(created, Action.CREATE, _("作成"), actor)]
            if status != PlanStatus.DRAFT:
                steps.append((submitted, Action.UPDATE, _("承認を依頼"), actor))
            if is_decided:
                steps.append((decided, Action.UPDATE, _("承認"), supervisor))
            for at, action, what, who in steps:
                self._timeline(
                    case_id, at, TimelineKind.PLAN, f"{_('支援計画 第%(n)s版') % {'n': number}}：{what}", who.id, pid
                )
                self._event(at, who.id, action, "plan", [pid], goal_persons, case_id, f"/staff/plans/{pid}/")
            previous = pid

    # --- referrals -----------------------------------------------------------------------------

    def _draw_referrals(
        self,
        case_id: int,
        lead: AgencyInfo,
        team: list[tuple[AgencyInfo, str, dt.date]],
        status: str,
        start: dt.date,
        end: dt.date,
        forced: bool,
        long_history: bool,
    ) -> list[dict[str, Any]]:
        rnd = self.rnd
        count = 0
        if long_history:
            count = 2
        elif status != CaseStatus.RECEIVED:
            u = rnd.random()
            count = 2 if u < 0.12 else (1 if u < 0.55 else 0)
        on_team = {i.agency.pk for i, _b, _d in team}
        out: list[dict[str, Any]] = []
        inbox_state = None
        if not forced and lead is not self.busiest and self.inbox_states and status == CaseStatus.ACTIVE:
            # Referrals into the benchmark supervisor's inbox, one in every state first.
            inbox_state = self.inbox_states.pop(0)
            count = max(count, 1)
        for n in range(count):
            if n == 0 and inbox_state is not None:
                to = self.busiest
                state = inbox_state
            else:
                candidates = [p for p in self.partners if p.agency.pk not in on_team]
                if not candidates:
                    break
                to = candidates[int(rnd.random() * len(candidates))]
                if long_history and n == 0:
                    state = ReferralStatus.REQUESTED
                else:
                    state = self.referral_values[bisect.bisect_right(self.referral_cum, rnd.random())]
                    if state == ReferralStatus.REQUESTED and status == CaseStatus.CLOSED:
                        state = ReferralStatus.DECLINED
            if to.agency.pk in on_team:
                continue
            if state == ReferralStatus.REQUESTED:
                # Open: sent lately, some overdue.
                sent = self.as_of - dt.timedelta(days=int(rnd.random() * 14))
            else:
                sent = start + dt.timedelta(days=int(rnd.random() * max(1, (end - start).days - 10)))
            u = rnd.random()
            basis = (
                SharingBasis.CONSENT if u < 0.8 else (SharingBasis.MEETING_ART9 if u < 0.9 else SharingBasis.OTHER_LAW)
            )
            out.append({"to": to, "state": state, "sent": min(sent, self.as_of), "basis": basis})
            on_team.add(to.agency.pk)
        return out

    def _write_referrals(
        self,
        case_id: int,
        members: list[Member],
        person: Member,
        lead: AgencyInfo,
        referrals: list[dict[str, Any]],
        consent_id: int | None,
        actor: StaffUser,
    ) -> None:
        rnd = self.rnd
        for r in referrals:
            rid = self._next(self.t_referral)
            to: AgencyInfo = r["to"]
            state: str = r["state"]
            basis: str = r["basis"]
            sent_at = self._office(r["sent"])
            sent_on = sent_at.astimezone(self.tz).date()
            due = self._due(sent_on, to.agency.referral_days)
            reason = REFERRAL_REASONS[int(rnd.random() * len(REFERRAL_REASONS))]
            answerer = (to.caseworkers or to.supervisors or to.others or to.desk or [actor])[0]
            answered_at = None
            first_met = None
            withdrawn_at = None
            decline = ""
            member_id = None
            events: list[tuple[dt.datetime, str, StaffUser, str]] = [(sent_at, ReferralEventKind.SENT, actor, reason)]
            basis_note = "生活困窮者自立支援法" if basis == SharingBasis.OTHER_LAW else ""
            r_consent = consent_id if basis == SharingBasis.CONSENT else None
            summaries = [
                (
                    sent_at,
                    actor,
                    _("%(to)s へつなぎを依頼（%(basis)s、回答期限 %(due)s）：%(reason)s")
                    % {
                        "to": to.agency.name,
                        "basis": SharingBasis(basis).label,
                        "due": self._wareki(due),
                        "reason": reason[:100],
                    },
                )
            ]
            if state in (ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET, ReferralStatus.DECLINED):
                answered_at = sent_at + dt.timedelta(days=1 + int(rnd.random() * 8), hours=1)
                answered_at = min(answered_at, self._at(self.as_of, 9 * 3600))
            if state in (ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET):
                assert answered_at is not None
                events.append((answered_at, ReferralEventKind.ACCEPTED, answerer, ""))
                member_id = self._next(self.t_team)
                joined = answered_at.astimezone(self.tz).date()
                self.writer.add(
                    self.t_team,
                    (
                        member_id,
                        case_id,
                        to.agency.pk,
                        TeamRole.PARTNER,
                        joined,
                        None,
                        basis,
                        basis_note,
                        r_consent,
                        "",
                    ),
                )
                summaries.append(
                    (
                        answered_at,
                        answerer,
                        _("%(agency)s が協力機関に加わった（%(basis)s）")
                        % {"agency": to.agency.name, "basis": SharingBasis(basis).label},
                    )
                )
                summaries.append((answered_at, answerer, _("%(to)s がつなぎを受理") % {"to": to.agency.name}))
                if state == ReferralStatus.FIRST_MET:
                    first_met = min(joined + dt.timedelta(days=3 + int(rnd.random() * 20)), self.as_of)
                    met_at = self._at(first_met, 17 * 3600)
                    events.append((met_at, ReferralEventKind.FIRST_MET, answerer, ""))
                    summaries.append(
                        (
                            met_at,
                            answerer,
                            _("%(to)s が初回面談（%(date)s）")
                            % {"to": to.agency.name, "date": self._wareki(first_met)},
                        )
                    )
            elif state == ReferralStatus.DECLINED:
                assert answered_at is not None
                decline = rnd.choice(DeclineReason.values)
                comment = "いまは受け入れが難しい状況です。"
                events.append((answered_at, ReferralEventKind.DECLINED, answerer, comment))
                summaries.append(
                    (
                        answered_at,
                        answerer,
                        _("%(to)s がつなぎを辞退（%(reason)s）：%(comment)s")
                        % {"to": to.agency.name, "reason": DeclineReason(decline).label, "comment": comment[:100]},
                    )
                )
            elif state == ReferralStatus.WITHDRAWN:
                withdrawn_at = sent_at + dt.timedelta(days=1 + int(rnd.random() * 3))
                why = "本人の希望で見送り"
                events.append((withdrawn_at, ReferralEventKind.WITHDRAWN, actor, why))
                summaries.append(
                    (
                        withdrawn_at,
                        actor,
                        _("%(to)s へのつなぎを取下げ：%(reason)s") % {"to": to.agency.name, "reason": why[:100]},
                    )
                )
            updated = max(at for at, *_rest in events)
            self.writer.add(
                self.t_referral,
                (
                    rid,
                    sent_at,
                    actor.id,
                    updated,
                    events[-1][2].id,
                    len(events),
                    case_id,
                    person.id,
                    lead.agency.pk,
                    to.agency.pk,
                    reason,
                    "ご本人の状況の概要（依頼先に伝える範囲）",
                    basis,
                    basis_note,
                    r_consent,
                    rnd.random() < 0.2,
                    sent_at,
                    due,
                    state,
                    decline,
                    ""
                    if answered_at is None
                    else "お引き受けします。"
                    if not decline
                    else "いまは受け入れが難しい状況です。",
                    answered_at,
                    answerer.id if answered_at else None,
                    first_met,
                    withdrawn_at,
                    False,
                    None,
                    answered_at + dt.timedelta(days=1) if answered_at and rnd.random() < 0.7 else None,
                    member_id,
                ),
            )
            for at, kind, who, text in events:
                self.writer.add(self.t_referral_event, (self._next(self.t_referral_event), rid, at, kind, who.id, text))
            for at, who, summary in summaries:
                self._timeline(
                    case_id,
                    at,
                    TimelineKind.REFERRAL if "協力機関" not in summary else TimelineKind.TEAM,
                    summary,
                    who.id,
                    rid if "協力機関" not in summary else member_id,
                )
            self._event(
                sent_at,
                actor.id,
                Action.SHARE,
                "referral",
                [rid],
                [person.id],
                case_id,
                f"/staff/referrals/new/{case_id}/",
                reason=f"referred to {to.agency.code} ({basis})",
            )
            for at, _kind, who, _text in events[1:]:
                self._event(
                    at, who.id, Action.UPDATE, "referral", [rid], [person.id], case_id, f"/staff/referrals/{rid}/"
                )
            # The receiver read it before answering.
            self._event(
                sent_at + dt.timedelta(hours=3),
                answerer.id,
                Action.VIEW,
                "referral",
                [rid],
                [person.id],
                case_id,
                f"/staff/referrals/{rid}/",
                basis="referral",
            )

    # --- meetings ------------------------------------------------------------------------------

    def _flush_meetings(self, *, final: bool) -> None:
        """Case meetings of the cases gathered so far, a few cases each, organised by their lead."""
        rnd = self.rnd
        for agency_pk in sorted(self.pending_meetings):
            pending = self.pending_meetings[agency_pk]
            while len(pending) >= 4 or (final and pending):
                group = pending[:4]
                del pending[:4]
                info = self.agencies[agency_pk]
                kind = self.meeting_values[bisect.bisect_right(self.meeting_cum, rnd.random())]
                if kind == MeetingKind.CASE_CONFERENCE:
                    # On consent: one case at a time, with the agencies its consent names.
                    for item in group:
                        self._meeting(info, kind, [item], sorted(item[3] | {agency_pk}) if item[3] else [agency_pk])
                else:
                    self._meeting(info, kind, group, [agency_pk])

    def _meeting(
        self, info: AgencyInfo, kind: str, group: list[tuple[int, list[int], int, set[int], int]], agency_pks: list[int]
    ) -> None:
        rnd = self.rnd
        if KIND_BASIS[MeetingKind(kind)] == SharingBasis.CONSENT and not group[0][3]:
            kind = MeetingKind.SUPPORT_ART9
        mid = self._next(self.t_meeting)
        long_history = any(item[4] for item in group)
        day = self.as_of - dt.timedelta(days=3 if long_history else 1 + int(rnd.random() * 300))
        held = self._at(day, 14 * 3600)
        organiser = (info.supervisors or info.caseworkers)[0]
        title = MEETING_TITLES[int(rnd.random() * len(MEETING_TITLES))]
        self.writer.add(
            self.t_meeting,
            (
                mid,
                held - dt.timedelta(days=7),
                organiser.id,
                held,
                organiser.id,
                1,
                kind,
                title,
                held,
                "区役所 第1会議室",
                info.agency.pk,
                "",
                "支援の方針を確認した。",
            ),
        )
        for agency_pk in agency_pks:
            self.writer.add(self.t_meeting_agencies, (self._next(self.t_meeting_agencies), mid, agency_pk))
        attendees = sorted({organiser.id, *(item[2] for item in group)})
        for uid in attendees:
            self.writer.add(self.t_meeting_attendees, (self._next(self.t_meeting_attendees), mid, uid))
        label = MeetingKind(kind).label
        for case_id, member_ids, worker_id, _consented, _long in group:
            added = held - dt.timedelta(days=5)
            self.writer.add(self.t_meeting_case, (self._next(self.t_meeting_case), mid, case_id, added, organiser.id))
            self._timeline(
                case_id,
                added,
                TimelineKind.MEETING,
                _("%(kind)s（%(date)s）で検討：%(title)s") % {"kind": label, "date": self._wareki(day), "title": title},
                organiser.id,
                mid,
            )
            self._event(
                added,
                organiser.id,
                Action.UPDATE,
                "meeting",
                [mid],
                member_ids,
                case_id,
                f"/staff/meetings/{mid}/cases/",
                reason=f"case {case_id} added",
            )
            did = self._next(self.t_decision)
            text = DECISION_TEXTS[int(rnd.random() * len(DECISION_TEXTS))]
            done = held + dt.timedelta(days=20) if day < self.as_of - dt.timedelta(days=30) else None
            self.writer.add(
                self.t_decision,
                (
                    did,
                    held,
                    organiser.id,
                    done or held,
                    organiser.id,
                    1,
                    mid,
                    case_id,
                    text,
                    worker_id,
                    day + dt.timedelta(days=30),
                    done,
                    worker_id if done else None,
                ),
            )
            self._timeline(
                case_id, held, TimelineKind.MEETING, _("会議の決定：%(text)s") % {"text": text[:200]}, organiser.id, mid
            )

    def _councils(self) -> None:
        """The secretariat's councils: no personal data, a few a year."""
        secretariat = self.personas["bench-secretariat"]
        for n in range(12):
            mid = self._next(self.t_meeting)
            day = self.as_of - dt.timedelta(days=30 * n + 10)
            held = self._at(day, 14 * 3600)
            self.writer.add(
                self.t_meeting,
                (
                    mid,
                    held,
                    secretariat.id,
                    held,
                    secretariat.id,
                    1,
                    MeetingKind.LIAISON_COUNCIL,
                    "ひきこもり支援連絡協議会",
                    held,
                    "区役所 大会議室",
                    self.ward_office.agency.pk,
                    "",
                    "各機関の取り組みを共有した。",
                ),
            )
            for info in self.leads[:6]:
                self.writer.add(self.t_meeting_agencies, (self._next(self.t_meeting_agencies), mid, info.agency.pk))
            self.writer.add(self.t_meeting_attendees, (self._next(self.t_meeting_attendees), mid, secretariat.id))

    def _analyze(self) -> None:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            # VACUUM too: a freshly loaded table has no visibility map, so every index-only scan
            # would still read the rows (as autovacuum would leave it for a while after a load).
            cursor.execute("VACUUM (ANALYZE)")


def _rebuild_derived_state() -> None:
    """Bring each case's kept work state (last contact, next action, unanswered streak, stall
    day) and the review day of its approved plan in line with the rows just written, set-based,
    as the data migrations do. The plans first: the work state's rebuild then copies both onto
    the team rows in one pass."""
    plan_review_set(
        Case.objects.filter(pk__in=SupportPlan.objects.filter(status=PlanStatus.APPROVED).values("case_id"))
    )
    rebuild_work_state()


@functools.lru_cache(maxsize=1)
def _record_texts() -> dict[tuple[str, bool, int], tuple[str, str]]:
    """(method, reached, text) -> (the record's summary, the timeline's summary as records.services writes it)."""
    out = {}
    for method in METHODS:
        label = str(Method(method).label)
        for reached in (True, False):
            word = _("会えた") if reached else _("会えず")
            for n, text in enumerate(RECORD_TEXTS[reached]):
                out[(method, reached, n)] = (text, f"{label}（{word}）{text[:80]}")
    return out


def _name_keys(family: str, given: str, family_kana: str, given_kana: str) -> list[str]:
    return sorted(_name_keys_cached(family, given, family_kana, given_kana))


@functools.lru_cache(maxsize=100_000)
def _name_keys_cached(family: str, given: str, family_kana: str, given_kana: str) -> frozenset[str]:
    """The keys people.services.name_keys derives (same parts, same normalisation)."""
    keys = {kana.search_key(p) for p in (family, given, family_kana, given_kana)}
    keys.add(kana.search_key(family + given))
    keys.add(kana.search_key(family_kana + given_kana))
    keys.discard("")
    return frozenset(keys)


def _answer(rnd: random.Random, item: dict[str, Any], today: dt.date) -> Any:
    kind = item["type"]
    if rnd.random() < 0.08:
        return spec.UNKNOWN
    if kind == "scale":
        return rnd.randint(item["min"], item["max"])
    if kind == "single":
        return item["options"][rnd.randrange(len(item["options"]))]["value"]
    if kind == "multiple":
        options = [o["value"] for o in item["options"]]
        return rnd.sample(options, 1 + rnd.randrange(min(3, len(options))))
    if kind == "number":
        return rnd.randint(0, 10)
    if kind == "date":
        return (today - dt.timedelta(days=rnd.randrange(365 * 15))).isoformat()
    return "落ち着いて話せるようになってきた。"


def content_digest() -> str:
    """A digest of the generated content (every table the generator writes, in id order)."""
    digest = hashlib.sha256()
    models_ = [
        Household,
        Person,
        PersonNameKey,
        Consultation,
        Case,
        CaseAgency,
        Consent,
        TimelineEntry,
        ProgressRecord,
        Assessment,
        SupportPlan,
        Goal,
        Referral,
        ReferralEvent,
        Meeting,
        MeetingCase,
        Decision,
        AccessEvent,
        Membership,
        *AROUND_MODELS,
    ]
    for model in models_:
        columns = [f.column for f in model._meta.concrete_fields]
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} ORDER BY 1")  # noqa: S608 (names from the models)
            for row in cursor.fetchall():
                digest.update(repr(tuple(_canonical(v) for v in row)).encode())
    users = User.objects.order_by("pk").values_list("pk", "username", "first_name", "last_name", "password")
    for row in users:
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    return value


__all__ = ["SCALES", "Population", "Refused", "check_may_run", "content_digest"]
