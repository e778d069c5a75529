"""The network around the demo's cases (issue 12): weekly sessions of メルクマール's 居場所 with
anonymous head counts and one named visit of a young man from a case, a 家族会 with its meetings,
a study session, family members counted and named, the needs they brought; two enrolments in
programmes (one ended with work); public events ahead; training courses with attendance (one
agency's staff still without the basic course); a supervision session with a follow-up on the
caseworker's work page.

Every date is computed from the demo's "today" (``run.when``): sessions in the past weeks,
events ahead, the follow-up due in a few business days. Everything goes through the apps'
services, as a worker's forms would, so the timeline, the access trail and the no-contact clock
are those of real use."""

import datetime as dt
from decimal import Decimal
from typing import Any

from tsunagu.agencies.models import Agency, District
from tsunagu.cases.models import Case
from tsunagu.demo.run import DemoRun
from tsunagu.people.models import Person
from tsunagu.places import services as places
from tsunagu.places.event_services import event_create
from tsunagu.places.models import AgeBand, AttendeeRole, Enrolment, EventKind, Outcome, Place, SessionKind
from tsunagu.training.services import attendance_record, course_create, follow_up_add, session_create

IBASHO_NOTE = "ボードゲームとお茶。静かに過ごす人が多かった。"
STUDY_NOTE = "学習会「ひきこもりの理解と家族の関わり方」（講師：架空）"


def network(run: DemoRun) -> None:
    if not Place.objects.filter(code="merkmal-ibasho").exists():
        return  # no reference places loaded (load_places): nothing to build on
    young, family = _people_for_the_network()
    _ibasho(run, young)
    _family_association(run, family)
    _enrolments(run)
    _events(run)
    _training(run)
    _supervision(run)


def _quiet_free_case(code: str) -> Case | None:
    """An open case led by ``code`` with a recent contact and not stalled: a visit to a place
    moves its last contact without taking an item off the demo's work pages."""
    return (
        Case.objects.filter(team__agency__code=code, team__role="lead", team__until__isnull=True, status="active")
        .exclude(last_contact_on__isnull=True)
        .order_by("-last_contact_on", "pk")
        .first()
    )


def _people_for_the_network() -> tuple[Person | None, Person | None]:
    """The young person of a メルクマール case (who comes to the 居場所) and a parent in a
    household of a ぷらっとホーム case (who comes to the 家族会)."""
    young_case, family_case = _quiet_free_case("merkmal"), _quiet_free_case("link")
    young = young_case.household.members.filter(is_concerned=True).first() if young_case else None
    parent = family_case.household.members.filter(is_concerned=False).order_by("pk").first() if family_case else None
    return young, parent


def _session(run: DemoRun, user: Any, place: Place, day: dt.date, kind: str, start: int, notes: str) -> Any:
    session, _created = places.session_create(
        user=user,
        place=place,
        data={
            "kind": kind,
            "held_on": day,
            "starts_at": dt.time(start, 0),
            "ends_at": dt.time(start + 3, 0),
            "notes": notes,
        },
        staff=[user],
        key=None,
    )
    return session


def _ibasho(run: DemoRun, young: Person | None) -> None:
    """Six weekly sessions: young people counted without names, and one named visit."""
    worker = run.users["caseworker"]
    place = Place.objects.get(code="merkmal-ibasho")
    today = run.when.today
    for week in range(6, 0, -1):
        day = today - dt.timedelta(days=7 * week - 1)
        session = _session(
            run, worker, place, day, SessionKind.REGULAR, 13, "ボードゲームとお茶。静かに過ごす人が多かった。"
        )
        counts = {
            (AttendeeRole.PERSON, AgeBand.TWENTIES, "male"): 1 + run.rng.randint(0, 2),
            (AttendeeRole.PERSON, AgeBand.THIRTIES, "male"): run.rng.randint(0, 2),
            (AttendeeRole.PERSON, AgeBand.TWENTIES, "female"): run.rng.randint(0, 1),
            (AttendeeRole.FAMILY, AgeBand.SIXTIES, "female"): run.rng.randint(0, 1),
        }
        places.counts_replace(session=session, counts=counts)
        if week == 1 and young is not None:
            places.named_add(user=worker, session=session, person=young, role=AttendeeRole.PERSON)


def _family_association(run: DemoRun, parent: Person | None) -> None:
    """Monthly meetings and one study session; families counted, one parent named, their needs."""
    desk = run.users["desk"]
    place = Place.objects.get(code="family-kai-tsudoi")
    today = run.when.today
    options = [value for value, _label in places.family_need_options()]
    for month in (3, 2, 1):
        day = today - dt.timedelta(days=30 * month - 3)
        kind = SessionKind.STUDY if month == 2 else SessionKind.MEETING
        notes = (
            "学習会「ひきこもりの理解と家族の関わり方」（講師：架空）"
            if kind == SessionKind.STUDY
            else "近況の分かち合い。"
        )
        session = _session(run, desk, place, day, kind, 14, notes)
        places.counts_replace(
            session=session,
            counts={
                (AttendeeRole.FAMILY, AgeBand.SEVENTY_PLUS, "female"): 2 + run.rng.randint(0, 2),
                (AttendeeRole.FAMILY, AgeBand.SIXTIES, "female"): 1 + run.rng.randint(0, 2),
                (AttendeeRole.FAMILY, AgeBand.SEVENTY_PLUS, "male"): run.rng.randint(0, 2),
            },
        )
        if options:
            places.needs_replace(session=session, needs={need: run.rng.randint(0, 3) for need in options[:6]})
        if month == 1 and parent is not None:
            places.named_add(user=desk, session=session, person=parent, role=AttendeeRole.FAMILY)


def _enrolments(run: DemoRun) -> None:
    """A young person of a メルクマール case in the 就労体験: started two months ago, ended with
    work; another still taking part in the 学習支援."""
    worker = run.users["caseworker"]
    today = run.when.today
    cases = list(
        Case.objects.filter(team__agency__code="merkmal", team__role="lead", team__until__isnull=True)
        .exclude(status="closed")
        .order_by("pk")[:3]
    )
    plans = [("saposute-work-cafe", Outcome.WORK), ("merkmal-learning", None)]
    for case, (code, outcome) in zip(cases[1:], plans, strict=False):
        person = case.household.members.filter(is_concerned=True).first()
        if person is None:
            continue
        enrolment, _created = places.enrolment_create(
            user=worker,
            case=case,
            person=person,
            place=Place.objects.get(code=code),
            starts_on=today - dt.timedelta(days=60),
            note="本人の希望で参加。最初は同行した。",
            key=None,
        )
        if outcome is not None:
            places.enrolment_end(
                user=worker,
                enrolment=Enrolment.objects.get(pk=enrolment.pk),
                expected_version=enrolment.version,
                ends_on=today - dt.timedelta(days=5),
                outcome=outcome,
                note="体験先のカフェでアルバイトとして働くことになった。",
            )


def _events(run: DemoRun) -> None:
    """Public events ahead (a lecture, a course for families, a consultation day) and one past."""
    desk, worker = run.users["desk"], run.users["caseworker"]
    link, merkmal = Agency.objects.get(code="link"), Agency.objects.get(code="merkmal")
    district = District.objects.order_by("pk").first()
    family = Place.objects.get(code="family-kai-tsudoi")
    when = run.when
    ahead = [
        (
            desk,
            link,
            EventKind.LECTURE,
            "講演会「ひきこもりと家族 ― いま、できること」（架空）",
            14,
            None,
            "区民会館ホール（架空）",
        ),
        (
            worker,
            merkmal,
            EventKind.FAMILY_COURSE,
            "家族向け講座「声のかけ方を練習しよう」（架空）",
            21,
            None,
            "メルクマールせたがや 会議室",
        ),
        (desk, link, EventKind.CONSULTATION, "家族会と合同の相談会（架空）", 30, family, "地区会館 集会室（架空）"),
        (desk, link, EventKind.LECTURE, "講演会「8050の家族を支える」（架空）", -20, None, "区民会館ホール（架空）"),
    ]
    for user, agency, kind, title, days, place, venue in ahead:
        day = when.today + dt.timedelta(days=days)
        event_create(
            user=user,
            agency=agency,
            fields={
                "title": title,
                "kind": kind,
                "place": place,
                "description": "どなたでも参加できます。お名前を言わずに参加することもできます。",
                "starts_at": when.at(day, 14),
                "ends_at": when.at(day, 16),
                "venue": venue,
                "district": district,
                "audience": "both",
                "how_to_apply": "電話またはこのページの「相談を申し込む」から。当日参加もできます。",
                "apply_by": day - dt.timedelta(days=3) if days > 3 else None,
                "capacity": 40,
                "is_public": True,
            },
        )


def _training(run: DemoRun) -> None:
    """The ward's basic course (most caseworkers completed it; あんしんすこやかセンター's not yet),
    a specialist course of メルクマール, and a supervision course."""
    secretariat, supervisor = run.users["secretariat"], run.users["supervisor"]
    ward = Agency.objects.get(code="ward-seikatsu-fukushi")
    merkmal = Agency.objects.get(code="merkmal")
    today = run.when.today
    basic, _created = course_create(
        user=secretariat,
        organiser=ward,
        title="ひきこもり支援 基礎研修（令和の新任者向け）",
        held_on=today - dt.timedelta(days=60),
        hours=Decimal("3"),
        kind="basic",
        description="ひきこもりの理解、相談の受け方、つなぎ方、個人情報の扱い。",
    )
    for username in ("desk", "caseworker", "link-worker", "desk-supervisor", "supervisor"):
        attendance_record(user=secretariat, course=basic, attendee=run.users[username], completed=True)
    specialist, _created = course_create(
        user=supervisor,
        organiser=merkmal,
        title="アウトリーチの実際（専門研修）",
        held_on=today - dt.timedelta(days=20),
        hours=Decimal("2"),
        kind="specialist",
    )
    attendance_record(user=supervisor, course=specialist, attendee=run.users["caseworker"], completed=True)
    course_create(
        user=secretariat,
        organiser=ward,
        title="スーパーバイザー研修",
        held_on=today + dt.timedelta(days=10),
        hours=Decimal("1.5"),
        kind="sv",
    )


def _supervision(run: DemoRun) -> None:
    """メルクマール's supervisor with the caseworker on one of their cases, a week ago; a
    follow-up due in three business days, on the caseworker's work page."""
    supervisor, worker = run.users["supervisor"], run.users["caseworker"]
    case = _quiet_free_case("merkmal")
    if case is None:
        return
    session, _created = session_create(
        user=supervisor,
        held_on=run.when.today - dt.timedelta(days=7),
        supervisees=[worker],
        case_ids=[case.pk],
        notes="訪問の頻度と、本人への手紙の書き方について。家族の負担も大きい。",
    )
    follow_up_add(
        user=supervisor,
        session=session,
        assignee=worker,
        text="次の訪問の前に、家族のニーズ把握シートを家族と一緒に見直す。",
        due_on=run.when.business_days_ahead(3),
    )
