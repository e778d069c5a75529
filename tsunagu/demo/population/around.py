"""The network around the case at scale (issue 12): places, programmes and family associations,
their sessions with anonymous and named attendance, family need counts, enrolments, public
events, training and supervision, written with the generator's bulk writer.

The ward's pattern is the reference entries ``manage.py load_places`` loads; the generator adds,
per agency and in proportion to the population (one "ward" is 10,000 persons), the same kinds of
places (``PLACES_PER_WARD``), each with a session every week (a family association's and a
volunteer group's every month) over the history, and a few still to come.

A named attendance is written as ``places.services.named_add`` writes it: the attendance, its
progress record on the open case of the person's household (method 居場所・プログラム, reached,
by the worker who recorded it, one of the running agency's), the record's timeline entry and the
access events of both; the case's work state is then rebuilt set-based with all the others
(``generate._rebuild_derived_state``). Only persons of open cases whose lead agency runs the place
attend by name, so the recorder always sees the person (docs/access.md).

Everything here draws from its own ``random.Random`` (seeded from the generator's seed), so the
rest of the population is the one the generator made before issue 12.
"""

import bisect
import datetime as dt
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from django.core.management.color import no_style
from django.db import connection
from django.utils.translation import gettext as _

from tsunagu.agencies.models import AgencyKind, Area, District
from tsunagu.audit.models import Action
from tsunagu.cases.models import CaseStatus, TimelineKind
from tsunagu.places.management.commands.load_places import DEFAULT as REFERENCE_PLACES
from tsunagu.places.management.commands.load_places import FIELDS as PLACE_FIELDS
from tsunagu.places.models import (
    PROGRAMME_KINDS,
    AgeBand,
    AnonymousCount,
    AttendeeRole,
    Audience,
    Enrolment,
    Event,
    EventKind,
    FamilyNeedCount,
    Joining,
    NamedAttendance,
    Outcome,
    Place,
    PlaceKind,
    PlaceSession,
    SessionKind,
)
from tsunagu.places.services import family_need_options
from tsunagu.records.models import Method
from tsunagu.training.access import FOLLOW_UP_OBJECT, SUPERVISION_OBJECT
from tsunagu.training.models import (
    CourseKind,
    SupervisionFollowUp,
    SupervisionSession,
    TrainingAttendance,
    TrainingCourse,
)

if TYPE_CHECKING:
    from tsunagu.demo.population.generate import AgencyInfo, Member, StaffUser
    from tsunagu.demo.population.writer import Table

WARD_PERSONS = 10_000
# Places per agency of a kind and per ward (the reference entries count towards them).
PLACES_PER_WARD: dict[str, tuple[tuple[str, int], ...]] = {
    AgencyKind.YOUTH: ((PlaceKind.IBASHO, 2), (PlaceKind.LEARNING, 1)),
    AgencyKind.EMPLOYMENT: ((PlaceKind.WORK_EXPERIENCE, 2), (PlaceKind.SOCIAL, 1)),
    AgencyKind.DISABILITY: ((PlaceKind.SOCIAL, 1),),
    AgencyKind.CENTRAL_DESK: ((PlaceKind.VOLUNTEER, 1), (PlaceKind.COURSE, 1), (PlaceKind.FAMILY_ASSOCIATION, 1)),
    # One family association per area, its entry kept by the area's health and welfare centre.
    AgencyKind.PUBLIC_HEALTH: ((PlaceKind.FAMILY_ASSOCIATION, 1),),
}
MONTHLY = (PlaceKind.FAMILY_ASSOCIATION, PlaceKind.VOLUNTEER)
AHEAD_DAYS = 28  # sessions already planned after "today"
ATTEND_SHARE = 0.3  # open cases whose lead runs a place: the concerned person comes by name
ENROL_SHARE = 0.1  # cases with an enrolment in a programme
PLACE_NAMES = {
    PlaceKind.IBASHO: ("居場所「ひだまり」", "居場所「よりみち」", "居場所「ふらっと」", "居場所「こもれび」"),
    PlaceKind.LEARNING: ("学習支援「まなびば」", "学習支援「てらこや」"),
    PlaceKind.WORK_EXPERIENCE: ("就労体験「パン工房」", "就労体験「図書整理」", "就労体験「農園」"),
    PlaceKind.SOCIAL: ("社会参加「軽作業の会」", "社会参加「まちの清掃」"),
    PlaceKind.VOLUNTEER: ("ボランティア「子ども食堂」", "ボランティア「公園の花壇」"),
    PlaceKind.COURSE: ("講座「パソコン入門」", "講座「暮らしのお金」"),
    PlaceKind.FAMILY_ASSOCIATION: ("家族会「つむぎ」", "家族会「ひなた」", "家族会「あすなろ」"),
}
SCHEDULES = ("毎週月曜", "毎週火曜", "毎週水曜", "毎週木曜", "毎週金曜", "毎週土曜", "毎週日曜")
PERSON_BANDS = (AgeBand.TEENS, AgeBand.TWENTIES, AgeBand.TWENTIES, AgeBand.THIRTIES, AgeBand.THIRTIES, AgeBand.FORTIES)
FAMILY_BANDS = (AgeBand.FIFTIES, AgeBand.SIXTIES, AgeBand.SIXTIES, AgeBand.SEVENTY_PLUS)
EVENT_TITLES = {
    EventKind.LECTURE: ("講演会「ひきこもりを理解する」", "講演会「8050問題を考える」"),
    EventKind.FAMILY_COURSE: ("家族向け講座「声のかけ方」", "家族向け講座「親亡き後の備え」"),
    EventKind.CONSULTATION: ("ひきこもり相談会", "出張相談会"),
}
COURSES = {
    CourseKind.BASIC: "ひきこもり支援 基礎研修",
    CourseKind.ADVANCED: "専門研修「家族支援とアセスメント」",
    CourseKind.SUPERVISION: "スーパーバイザー研修",
}
FOLLOW_UP_TEXTS = ("家族との面談の記録をまとめる", "次回の訪問の方針を主担当と相談する", "関係機関への連絡を済ませる")
SV_NOTES = "ケースの見立てと今後の関わり方を確認した。"


@dataclass
class SessionRow:
    id: int
    day: dt.date


@dataclass
class PlaceInfo:
    id: int
    name: str
    kind: str
    agency_id: int
    sessions: list[SessionRow]
    days: list[dt.date]


class AroundTheCase:
    """Mixed into ``generate.Population``: the rows of issue 12."""

    # Set by Population (declared for the type checker).
    seed: int
    as_of: dt.date
    target_persons: int
    writer: Any
    agencies: dict[int, "AgencyInfo"]
    leads: list["AgencyInfo"]
    users: dict[int, "StaffUser"]
    personas: dict[str, "StaffUser"]
    busiest: "AgencyInfo"
    central_desk: "AgencyInfo"
    ward_office: "AgencyInfo"
    bench_worker: "StaffUser"
    districts: list[Any]

    if TYPE_CHECKING:

        def _next(self, table: "Table") -> int: ...
        def _at(self, day: dt.date, seconds: int) -> dt.datetime: ...
        def _midnight(self, day: dt.date) -> dt.datetime: ...
        def _timeline(
            self,
            case_id: int,
            at: dt.datetime,
            kind: str,
            summary: str,
            user_id: int | None,
            object_id: int | None = None,
        ) -> None: ...
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
        ) -> None: ...

    # --- set-up ------------------------------------------------------------------------------

    def _around_reference(self) -> None:
        self.net = random.Random(f"{self.seed}-around")
        self.wards = max(1, round(self.target_persons / WARD_PERSONS))
        self.open_cases_of: dict[int, list[int]] = defaultdict(list)
        self.agency_open_cases: dict[int, list[int]] = defaultdict(list)
        self.case_members: dict[int, list[int]] = {}
        self.around_drawing = 0.0  # seconds spent drawing the rows of this module (writing: per table)

    def _around_tables(self, t: Any, base: list[str]) -> list["Table"]:
        self.t_session = t(PlaceSession, [*base, "place_id", "kind", "held_on", "starts_at", "ends_at", "notes"])
        self.t_session_staff = t(PlaceSession.staff.through, ["id", "placesession_id", "user_id"])
        self.t_count = t(AnonymousCount, ["id", "session_id", "role", "age_band", "sex", "count"])
        self.t_need = t(FamilyNeedCount, ["id", "session_id", "need", "count"])
        self.t_named = t(
            NamedAttendance, ["id", "session_id", "person_id", "role", "record_id", "created_at", "created_by_id"]
        )
        self.t_enrolment = t(
            Enrolment, [*base, "place_id", "person_id", "case_id", "starts_on", "ends_on", "outcome", "note"]
        )
        self.t_public_event = t(
            Event,
            [
                *base,
                "title",
                "kind",
                "agency_id",
                "place_id",
                "description",
                "starts_at",
                "ends_at",
                "venue",
                "district_id",
                "audience",
                "how_to_apply",
                "apply_by",
                "capacity",
                "is_public",
            ],
        )
        self.t_course = t(TrainingCourse, [*base, "title", "organiser_id", "held_on", "hours", "kind", "description"])
        self.t_course_attendance = t(TrainingAttendance, [*base, "course_id", "user_id", "completed"])
        self.t_supervision = t(SupervisionSession, [*base, "supervisor_id", "held_on", "notes"])
        self.t_supervisees = t(SupervisionSession.supervisees.through, ["id", "supervisionsession_id", "user_id"])
        self.t_supervision_cases = t(SupervisionSession.cases.through, ["id", "supervisionsession_id", "case_id"])
        self.t_follow_up = t(SupervisionFollowUp, [*base, "session_id", "assignee_id", "text", "due_on", "done_at"])
        self._around_own = [
            self.t_session,
            self.t_session_staff,
            self.t_count,
            self.t_need,
            self.t_named,
            self.t_enrolment,
            self.t_public_event,
            self.t_course,
            self.t_course_attendance,
            self.t_supervision,
            self.t_supervisees,
            self.t_supervision_cases,
            self.t_follow_up,
        ]
        return self._around_own

    # --- places and their sessions -------------------------------------------------------------

    def _places(self) -> None:
        started = self._clock()
        self._places_and_sessions()
        self.around_drawing += self._clock() - started

    def _places_and_sessions(self) -> None:
        """The places of every agency (the reference ones and as many more as the scale asks),
        written through the ORM (a few hundred rows at most), then their sessions."""
        net = self.net
        next_id = itertools.count((Place.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1)
        if not Place.objects.exists():
            Place.objects.bulk_create(self._reference_places(next_id))
        existing: dict[tuple[int, str], int] = defaultdict(int)
        for agency_id, kind in Place.objects.values_list("agency_id", "kind"):
            existing[(agency_id, kind)] += 1
        areas = list(Area.objects.order_by("code"))
        new: list[Place] = []
        for info in sorted(self.agencies.values(), key=lambda i: i.agency.code):
            for kind, per_ward in PLACES_PER_WARD.get(info.agency.kind, ()):
                for n in range(existing[(info.agency.pk, kind)], per_ward * self.wards):
                    names = PLACE_NAMES[kind]
                    family = kind == PlaceKind.FAMILY_ASSOCIATION
                    name = f"{names[n % len(names)]}（{info.agency.name[:20]}・{n + 1}）"
                    new.append(
                        Place(
                            pk=next(next_id),
                            name=name[:100],
                            kind=kind,
                            agency=info.agency,
                            organiser=f"{names[n % len(names)]}の会" if family else "",
                            description="合成データの居場所・プログラムです。",
                            audience=Audience.FAMILY if family else Audience.PERSON,
                            age_min=None if family else 15,
                            age_max=None if family else (39 if info.agency.kind == AgencyKind.YOUTH else 64),
                            area_id=info.agency.area_id or areas[int(net.random() * len(areas))].pk,
                            district_id=info.agency.district_id,
                            address="世田谷区内（合成データ）",
                            schedule=SCHEDULES[n % len(SCHEDULES)] + " 13:00〜16:00",
                            capacity=10 + int(net.random() * 20),
                            joining=(Joining.OPEN, Joining.BOOKING, Joining.REFERRAL)[int(net.random() * 3)],
                            contact=info.agency.name,
                            is_public=net.random() < 0.8,
                        )
                    )
        Place.objects.bulk_create(new, batch_size=500)
        # Ids given here (not drawn from the sequence, which a rolled-back run does not give
        # back): the same seed gives the same ids. The sequence then follows them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Place]):
                cursor.execute(statement)
        self.places: list[PlaceInfo] = []
        self.places_of: dict[int, list[PlaceInfo]] = defaultdict(list)
        for pk, name, kind, agency_id in (
            Place.objects.filter(active=True).order_by("pk").values_list("pk", "name", "kind", "agency_id")
        ):
            info = PlaceInfo(pk, name, kind, agency_id, [], [])
            self.places.append(info)
            if kind != PlaceKind.FAMILY_ASSOCIATION:
                self.places_of[agency_id].append(info)
        self.programmes = [p for p in self.places if p.kind in PROGRAMME_KINDS]
        self.need_options = [value for value, _label in family_need_options()]
        for place in self.places:
            self._sessions(place)

    def _reference_places(self, next_id: Iterator[int]) -> list[Place]:
        """The ward's reference entries, as ``manage.py load_places`` loads them."""
        data = yaml.safe_load(REFERENCE_PLACES.read_text(encoding="utf-8"))
        agencies = {info.agency.code: info.agency.pk for info in self.agencies.values()}
        areas = dict(Area.objects.values_list("code", "pk"))
        districts = dict(District.objects.values_list("code", "pk"))
        places = []
        for entry in data.get("places", []):
            if entry["agency"] not in agencies:
                continue
            place = Place(
                pk=next(next_id),
                code=entry["code"],
                agency_id=agencies[entry["agency"]],
                area_id=areas.get(entry.get("area")),
                district_id=districts.get(entry.get("district")),
                **{name: entry[name] for name in PLACE_FIELDS if name in entry},
            )
            place.full_clean(exclude=["created_by", "updated_by", "agency", "area", "district"])
            places.append(place)
        return places

    def _sessions(self, place: PlaceInfo) -> None:
        net = self.net
        w = self.writer
        start = self.as_of - dt.timedelta(days=3 * 365)
        monthly = place.kind in MONTHLY
        day = start + dt.timedelta(days=int(net.random() * (28 if monthly else 7)))
        end = self.as_of + dt.timedelta(days=AHEAD_DAYS)
        info = self.agencies.get(place.agency_id)
        staff = (info.caseworkers or info.supervisors or info.desk or info.others) if info else []
        family = place.kind == PlaceKind.FAMILY_ASSOCIATION
        kind = SessionKind.MEETING if family else SessionKind.REGULAR
        starts, ends = dt.time(13, 0), dt.time(16, 0)
        while day <= end:
            sid = self._next(self.t_session)
            at = self._at(min(day, self.as_of) - dt.timedelta(days=7), 10 * 3600)
            creator = staff[int(net.random() * len(staff))].id if staff else None
            w.add(self.t_session, (sid, at, creator, at, creator, 1, place.id, kind, day, starts, ends, ""))
            place.sessions.append(SessionRow(sid, day))
            place.days.append(day)
            if creator is not None:
                w.add(self.t_session_staff, (self._next(self.t_session_staff), sid, creator))
            if day <= self.as_of:
                self._counts(sid, family)
            day += dt.timedelta(days=28 if monthly else 7)

    def _counts(self, sid: int, family: bool) -> None:
        net = self.net
        seen: set[tuple[str, str, str]] = set()
        for _n in range(1 + int(net.random() * 4)):
            role = AttendeeRole.FAMILY if family or net.random() < 0.1 else AttendeeRole.PERSON
            bands = FAMILY_BANDS if role == AttendeeRole.FAMILY else PERSON_BANDS
            band = bands[int(net.random() * len(bands))]
            sex = "female" if net.random() < (0.75 if role == AttendeeRole.FAMILY else 0.4) else "male"
            if (role, band, sex) in seen:
                continue
            seen.add((role, band, sex))
            self.writer.add(self.t_count, (self._next(self.t_count), sid, role, band, sex, 1 + int(net.random() * 5)))
        if family and self.need_options:
            for need in net.sample(self.need_options, min(len(self.need_options), 1 + int(net.random() * 4))):
                self.writer.add(self.t_need, (self._next(self.t_need), sid, need, 1 + int(net.random() * 6)))

    # --- per case: named attendance and enrolments ---------------------------------------------

    def _around_case(
        self,
        case_id: int,
        person: "Member",
        member_ids: list[int],
        lead: "AgencyInfo",
        worker: "StaffUser | None",
        status: str,
        opened_day: dt.date,
        end_day: dt.date,
        long_history: bool,
    ) -> None:
        started = self._clock()
        self._around_case_rows(case_id, person, member_ids, lead, worker, status, opened_day, end_day, long_history)
        self.around_drawing += self._clock() - started

    def _around_case_rows(
        self,
        case_id: int,
        person: "Member",
        member_ids: list[int],
        lead: "AgencyInfo",
        worker: "StaffUser | None",
        status: str,
        opened_day: dt.date,
        end_day: dt.date,
        long_history: bool,
    ) -> None:
        net = self.net
        open_case = status != CaseStatus.CLOSED
        if open_case and worker is not None:
            self.open_cases_of[worker.id].append(case_id)
            self.agency_open_cases[lead.agency.pk].append(case_id)
            self.case_members[case_id] = member_ids
        places = self.places_of.get(lead.agency.pk)
        if open_case and places and (long_history or net.random() < ATTEND_SHARE):
            place = places[0] if long_history else places[int(net.random() * len(places))]
            self._attend(case_id, person, lead, worker, place, opened_day, long_history)
        if status != CaseStatus.RECEIVED and self.programmes and net.random() < ENROL_SHARE:
            self._enrol(case_id, person, worker or lead.caseworkers[0], status, opened_day, end_day)

    def _attend(
        self,
        case_id: int,
        person: "Member",
        lead: "AgencyInfo",
        worker: "StaffUser | None",
        place: PlaceInfo,
        opened_day: dt.date,
        long_history: bool,
    ) -> None:
        net = self.net
        w = self.writer
        first = bisect.bisect_left(place.days, opened_day + dt.timedelta(days=7))
        last = bisect.bisect_right(place.days, self.as_of)
        if last <= first:
            return
        wanted = 40 if long_history else 1 + min(30, int(net.lognormvariate(1.3, 0.9)))
        chosen = sorted(net.sample(range(first, last), min(wanted, last - first)))
        author = worker or lead.caseworkers[0]
        kind_label = str(PlaceKind(place.kind).label)
        summary = _("%(place)s（%(kind)s）に参加") % {"place": place.name, "kind": kind_label}
        timeline_summary = f"{Method.PLACE.label}（{_('会えた')}）{summary[:80]}"
        for index in chosen:
            session = place.sessions[index]
            at = self._at(session.day, 16 * 3600 + int(net.random() * 3600))
            rid = self._next(self.t_record)
            w.add(
                self.t_record,
                (rid, at, author.id, at, author.id, 1, case_id, session.day, Method.PLACE, True, summary, "", None),
            )
            w.add(self.t_record_persons, (self._next(self.t_record_persons), rid, person.id))
            self._timeline(case_id, self._midnight(session.day), TimelineKind.RECORD, timeline_summary, author.id, rid)
            path = f"/staff/places/sessions/{session.id}/named/"
            self._event(at, author.id, Action.CREATE, "record", [rid], [person.id], case_id, path)
            aid = self._next(self.t_named)
            w.add(self.t_named, (aid, session.id, person.id, AttendeeRole.PERSON, rid, at, author.id))
            self._event(
                at,
                author.id,
                Action.CREATE,
                "attendance",
                [aid],
                [person.id],
                case_id,
                path,
                basis="place",
                reason=f"place session {session.id}",
            )

    def _enrol(
        self, case_id: int, person: "Member", actor: "StaffUser", status: str, opened_day: dt.date, end_day: dt.date
    ) -> None:
        net = self.net
        place = self.programmes[int(net.random() * len(self.programmes))]
        span = max(1, (end_day - opened_day).days)
        starts = opened_day + dt.timedelta(days=min(span - 1, 14 + int(net.random() * span)))
        starts = min(starts, self.as_of)
        ends = outcome = None
        if status == CaseStatus.CLOSED or net.random() < 0.5:
            ends = min(end_day, starts + dt.timedelta(days=30 + int(net.random() * 180)), self.as_of)
            ends = max(ends, starts)
            pool = (
                (Outcome.WORK, Outcome.SCHOOL, Outcome.VOLUNTEER, Outcome.DROPPED)
                if status == CaseStatus.CLOSED
                else (Outcome.CONTINUING, Outcome.DROPPED, Outcome.OTHER)
            )
            outcome = pool[int(net.random() * len(pool))]
        eid = self._next(self.t_enrolment)
        created = self._net_office(starts)
        updated = self._net_office(ends) if ends else created
        self.writer.add(
            self.t_enrolment,
            (
                eid,
                created,
                actor.id,
                updated,
                actor.id,
                2 if ends else 1,
                place.id,
                person.id,
                case_id,
                starts,
                ends,
                outcome or "",
                "",
            ),
        )
        self._timeline(
            case_id,
            created,
            TimelineKind.ENROLMENT,
            _("%(place)sへの参加を開始") % {"place": place.name},
            actor.id,
            eid,
        )
        path = f"/staff/places/cases/{case_id}/enrolments/new/"
        self._event(created, actor.id, Action.CREATE, "enrolment", [eid], [person.id], case_id, path)
        if ends and outcome:
            self._timeline(
                case_id,
                updated,
                TimelineKind.ENROLMENT,
                _("%(place)sへの参加を終了（結果：%(outcome)s）")
                % {"place": place.name, "outcome": Outcome(outcome).label},
                actor.id,
                eid,
            )
            self._event(
                updated,
                actor.id,
                Action.UPDATE,
                "enrolment",
                [eid],
                [person.id],
                case_id,
                f"/staff/places/enrolments/{eid}/end/",
            )

    # --- after the population: events, training, supervision -----------------------------------

    def _around_after(self) -> None:
        started = self._clock()
        self._public_events()
        self._training()
        self._supervision()
        self.around_drawing += self._clock() - started

    def _net_office(self, day: dt.date) -> dt.datetime:
        """A moment of office hours on ``day``, drawn from this module's own random numbers
        (``Population._office`` draws from the population's, which would change it)."""
        return self._at(day, 9 * 3600 + int(self.net.random() * 8 * 3600))

    def _clock(self) -> float:
        """Seconds elapsed, less those spent writing (a batch written meanwhile is every table's,
        counted per table)."""
        return time.perf_counter() - sum(t.seconds for t in self.writer.tables.values())

    def around_cost(self) -> tuple[float, int]:
        """Seconds spent on the network around the case (drawing, and writing its own tables;
        its progress records, timeline entries and access events are written with the others)
        and the rows of its own tables."""
        tables = self._around_own
        return self.around_drawing + sum(t.seconds for t in tables), sum(t.written for t in tables)

    def _public_events(self) -> None:
        net = self.net
        organisers = [self.central_desk, self.busiest] + [
            i for i in self.agencies.values() if i.agency.kind == AgencyKind.PUBLIC_HEALTH
        ]
        families = [p for p in self.places if p.kind == PlaceKind.FAMILY_ASSOCIATION]
        kinds = list(EVENT_TITLES)
        per_month = 2 * self.wards
        for month in range(-12, 3):  # a year back and three months ahead of "today"
            for _n in range(per_month):
                day = self.as_of + dt.timedelta(days=30 * month + int(net.random() * 30))
                kind = kinds[int(net.random() * len(kinds))]
                info = organisers[int(net.random() * len(organisers))]
                staff = info.supervisors or info.caseworkers or info.desk
                creator = staff[0].id if staff else None
                place = (
                    families[int(net.random() * len(families))].id
                    if families and kind == EventKind.FAMILY_COURSE
                    else None
                )
                starts = self._at(day, 14 * 3600)
                created = self._net_office(min(day, self.as_of) - dt.timedelta(days=40))
                titles = EVENT_TITLES[kind]
                self.writer.add(
                    self.t_public_event,
                    (
                        self._next(self.t_public_event),
                        created,
                        creator,
                        created,
                        creator,
                        1,
                        titles[int(net.random() * len(titles))],
                        kind,
                        info.agency.pk,
                        place,
                        "どなたでも参加できます（合成データ）。",
                        starts,
                        starts + dt.timedelta(hours=2),
                        "区民会館 集会室",
                        self.districts[int(net.random() * len(self.districts))].pk,
                        Audience.BOTH if kind != EventKind.FAMILY_COURSE else Audience.FAMILY,
                        "電話またはメールでお申し込みください。",
                        day - dt.timedelta(days=3),
                        30 + int(net.random() * 70),
                        net.random() < 0.9,
                    ),
                )

    def _training(self) -> None:
        """Courses by the ward office and the central desk, a year's worth per ward and year of
        history; most staff completed a basic course, some an advanced one, supervisors the SV one."""
        net = self.net
        courses: dict[str, list[int]] = defaultdict(list)
        organisers = [self.ward_office, self.central_desk]
        secretariat = self.personas["bench-secretariat"].id
        for kind, per_year in ((CourseKind.BASIC, 3), (CourseKind.ADVANCED, 4), (CourseKind.SUPERVISION, 2)):
            for _n in range(per_year * 3 * self.wards):
                day = self.as_of - dt.timedelta(days=int(net.random() * 3 * 365))
                cid = self._next(self.t_course)
                at = self._net_office(day - dt.timedelta(days=30))
                info = organisers[int(net.random() * len(organisers))]
                self.writer.add(
                    self.t_course,
                    (
                        cid,
                        at,
                        secretariat,
                        at,
                        secretariat,
                        1,
                        COURSES[kind],
                        info.agency.pk,
                        day,
                        3.0 if kind == CourseKind.BASIC else 2.0,
                        kind,
                        "",
                    ),
                )
                courses[kind].append(cid)

        def attend(uid: int, kind: str, completed: bool) -> None:
            pool = courses[kind]
            cid = pool[int(net.random() * len(pool))]
            at = self._net_office(self.as_of - dt.timedelta(days=int(net.random() * 365)))
            self.writer.add(
                self.t_course_attendance,
                (self._next(self.t_course_attendance), at, secretariat, at, secretariat, 1, cid, uid, completed),
            )

        personas = {p.id for p in self.personas.values()}
        for uid in sorted(self.users):
            user = self.users[uid]
            u = net.random()
            if uid in personas or u < 0.85:
                attend(uid, CourseKind.BASIC, True)
            elif u < 0.9:
                attend(uid, CourseKind.BASIC, False)
            if net.random() < 0.4:
                attend(uid, CourseKind.ADVANCED, net.random() < 0.9)
            if user.role == "supervisor":
                attend(uid, CourseKind.SUPERVISION, True)

    def _supervision(self) -> None:
        """Every supervisor of a case agency meets their caseworkers about once a month over the
        last year, with cases of the agency's team (which the supervisor sees) and follow-ups;
        the recent ones still open (bench-sv's always include bench-worker)."""
        net = self.net
        w = self.writer
        bench_sv = self.personas["bench-sv"]
        for info in self.leads:
            workers = list(info.caseworkers)
            if info is self.busiest:
                workers.append(self.bench_worker)
            for sv in info.supervisors:
                if not workers:
                    continue
                for month in range(12):
                    day = self.as_of - dt.timedelta(days=30 * month + 2 + int(net.random() * 20))
                    sid = self._next(self.t_supervision)
                    at = self._at(day, 17 * 3600)
                    w.add(self.t_supervision, (sid, at, sv.id, at, sv.id, 1, sv.id, day, SV_NOTES))
                    supervisees = net.sample(workers, min(len(workers), 1 + int(net.random() * 3)))
                    if sv is bench_sv and self.bench_worker not in supervisees:
                        supervisees.append(self.bench_worker)
                    for person in supervisees:
                        w.add(self.t_supervisees, (self._next(self.t_supervisees), sid, person.id))
                    pool: list[int] = []
                    for person in supervisees:
                        pool += self.open_cases_of.get(person.id, [])[:20]
                    pool = pool or self.agency_open_cases.get(info.agency.pk, [])[:50]
                    cases = sorted(set(net.sample(pool, min(len(pool), 1 + int(net.random() * 3)))))
                    for case_id in cases:
                        w.add(self.t_supervision_cases, (self._next(self.t_supervision_cases), sid, case_id))
                    reason = f"supervision {sid}"
                    for case_id in cases or [None]:
                        self._event(
                            at,
                            sv.id,
                            Action.CREATE,
                            SUPERVISION_OBJECT,
                            [sid],
                            self._members(case_id),
                            case_id,
                            "/staff/supervision/new/",
                            reason=reason,
                        )
                    for person in supervisees:
                        if net.random() < 0.3 and not (sv is bench_sv and person is self.bench_worker):
                            continue
                        fid = self._next(self.t_follow_up)
                        due = day + dt.timedelta(days=14 + int(net.random() * 21))
                        done = (
                            None
                            if day > self.as_of - dt.timedelta(days=45)
                            else self._net_office(due - dt.timedelta(days=3))
                        )
                        text = FOLLOW_UP_TEXTS[int(net.random() * len(FOLLOW_UP_TEXTS))]
                        w.add(
                            self.t_follow_up,
                            (
                                fid,
                                at,
                                sv.id,
                                done or at,
                                person.id if done else sv.id,
                                2 if done else 1,
                                sid,
                                person.id,
                                text,
                                due,
                                done,
                            ),
                        )
                        for case_id in cases or [None]:
                            self._event(
                                at,
                                sv.id,
                                Action.CREATE,
                                FOLLOW_UP_OBJECT,
                                [fid],
                                self._members(case_id),
                                case_id,
                                f"/staff/supervision/{sid}/follow-ups/",
                                reason=reason,
                            )

    def _members(self, case_id: int | None) -> list[int]:
        return self.case_members.get(case_id, []) if case_id is not None else []


AROUND_MODELS = (
    Place,
    PlaceSession,
    AnonymousCount,
    FamilyNeedCount,
    NamedAttendance,
    Enrolment,
    Event,
    TrainingCourse,
    TrainingAttendance,
    SupervisionSession,
    SupervisionFollowUp,
)
