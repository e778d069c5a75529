"""What the benchmark requests: the pages of docs/quality.md P1–P3 and P7, each as the user who
would open it, with objects found in the database through the application's own access rules
(so every request is one the user may make, and answers 200)."""

from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.access import cases_visible_to
from tsunagu.cases.models import OPEN, Case
from tsunagu.demo.population.personas import PERSONAS
from tsunagu.meetings.access import meetings_visible_to
from tsunagu.people.models import Person
from tsunagu.places.models import Place, PlaceSession
from tsunagu.referrals.access import referrals_visible_to
from tsunagu.training.access import sessions_visible_to

DESK = "bench-desk"
WORKER = "bench-worker"
SUPERVISOR = "bench-sv"
# The public directory's pages are requested without signing in.
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    username: str
    path: str
    budget: str  # "P1", "P2", "P3" or "" (P7 applies to every page but the floor)
    why: str = ""
    # Sent by POST when given (the person search: no name in a URL, decision 0028).
    form: dict[str, str] | None = None
    # At most this many measured requests (and 2 warm-ups): the statistics pages take a second or
    # more each at national scale, and 200 of them would add minutes without a better figure.
    most: int = 0


@dataclass(frozen=True)
class Targets:
    pages: tuple[Page, ...]
    case_id: int
    timeline_entries: int
    # The record forms (``records:create``) of the open cases bench-worker leads, but the case
    # page's own case, so that the saves of repeated runs do not lengthen the measured history.
    record_forms: tuple[str, ...] = ()

    def page(self, key: str) -> Page:
        return next(page for page in self.pages if page.key == key)

    def as_json(self) -> dict:
        return {
            "case_id": self.case_id,
            "timeline_entries": self.timeline_entries,
            "record_forms": list(self.record_forms),
            "pages": [asdict(p) for p in self.pages],
        }


FLOOR = "floor"
PAGE_KEYS = (FLOOR, "case", "search", "my_work", "my_work_agency", "queue", "inbox", "case_list", "home")
PAGE_KEYS += ("household", "referral", "meeting")
# Issue 12: the network around the case.
PAGE_KEYS += ("places", "place", "place_session", "events", "training", "training_mine")
PAGE_KEYS += ("supervision", "supervision_session", "public_places", "public_place")
# Issue 13: the council's statistics (P4), for the ward and for the busiest agency.
PAGE_KEYS += ("report_survey", "report_cases", "report_agency")
SECRETARIAT = "bench-secretariat"
REPORT_REQUESTS = 10
# The write of the mixed workload: a caseworker's progress record, its form (GET) and its save (POST).
RECORD_FORM, RECORD_SAVE = "record_form", "record_save"


def find_targets() -> Targets:
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=[p.username for p in PERSONAS])
    }
    missing = [p.username for p in PERSONAS if p.username not in users]
    if missing:
        raise CommandError(
            "ベンチマーク用の利用者がいません（先に manage.py populate を実行してください）: " + ", ".join(missing)
        )
    worker, supervisor = users[WORKER], users[SUPERVISOR]
    visible = cases_visible_to(worker)
    case = _longest(visible.filter(lead_worker=worker)) or _longest(visible)
    if case is None:
        raise CommandError(f"{WORKER} のチームのケースがありません。")
    person = Person.objects.filter(household_id=case.household_id).order_by("-is_concerned", "pk").first()
    if person is None:
        raise CommandError(f"ケース {case.pk} の世帯に人がいません。")
    referral = referrals_visible_to(supervisor).order_by("-pk").first()
    meeting = meetings_visible_to(supervisor).order_by("-pk").first()
    if referral is None or meeting is None:
        raise CommandError(f"{SUPERVISOR} の見られる紹介と会議が必要です。")
    term = f"{person.family_name} {person.given_name}".strip() or person.family_name_kana
    place, place_session = _busiest_place(worker)
    public_place = (
        Place.objects.filter(is_public=True, active=True).annotate(n=Count("sessions")).order_by("-n", "pk").first()
    )
    supervision = (
        sessions_visible_to(supervisor)
        .filter(supervisor=supervisor)
        .annotate(n=Count("cases"))
        .order_by("-n", "-held_on", "-pk")
        .first()
    )
    if place is None or place_session is None or public_place is None or supervision is None:
        raise CommandError(
            f"{WORKER} の機関の居場所と開催回、公開の居場所、{SUPERVISOR} のスーパービジョンが必要です（issue 12）。"
        )
    pages = (
        Page(
            FLOOR,
            "framework floor: person page (desk)",
            DESK,
            reverse("people:person_detail", args=[person.pk]),
            "",
            "signed in, the staff layout, one door, one access event, one row",
        ),
        Page("case", "case page (team caseworker)", WORKER, reverse("cases:detail", args=[case.pk]), "P2"),
        Page(
            "search",
            "person search (desk, full page)",
            DESK,
            reverse("people:search"),
            "P1",
            form={"q": term},
        ),
        Page("my_work", "my work (caseworker)", WORKER, reverse("work:my_work"), "P3"),
        Page(
            "my_work_agency",
            "my work (supervisor, agency)",
            SUPERVISOR,
            reverse("work:my_work") + "?scope=agency",
            "P3",
        ),
        Page("queue", "desk queue (all)", DESK, reverse("intake:queue") + "?show=all", "P3"),
        Page("inbox", "referral inbox (supervisor)", SUPERVISOR, reverse("referrals:inbox"), "P3"),
        Page("case_list", "case list (supervisor)", SUPERVISOR, reverse("cases:list"), "P3"),
        Page("home", "home (caseworker)", WORKER, reverse("work:home"), "P3"),
        Page(
            "household",
            "household page (caseworker)",
            WORKER,
            reverse("people:household_detail", args=[case.household_id]),
            "",
        ),
        Page("referral", "referral page (supervisor)", SUPERVISOR, reverse("referrals:detail", args=[referral.pk]), ""),
        Page("meeting", "meeting page (supervisor)", SUPERVISOR, reverse("meetings:detail", args=[meeting.pk]), ""),
        Page("places", "places list (caseworker)", WORKER, reverse("places:list"), "P3"),
        Page("place", "busiest place page (caseworker)", WORKER, reverse("places:detail", args=[place.pk]), "P3"),
        Page(
            "place_session",
            "session with named attendance (running agency)",
            WORKER,
            reverse("places:session", args=[place_session.pk]),
            "P3",
        ),
        Page("events", "events list (caseworker)", WORKER, reverse("events:list"), "P3"),
        Page("training", "training list (caseworker)", WORKER, reverse("training:list"), "P3"),
        Page("training_mine", "own training record (caseworker)", WORKER, reverse("training:mine"), "P3"),
        Page("supervision", "supervision list (supervisor)", SUPERVISOR, reverse("supervision:list"), "P3"),
        Page(
            "supervision_session",
            "supervision session (supervisor)",
            SUPERVISOR,
            reverse("supervision:detail", args=[supervision.pk]),
            "P3",
        ),
        Page("public_places", "public directory of places (anonymous)", ANONYMOUS, reverse("public:directory"), ""),
        Page(
            "public_place",
            "public place page (anonymous)",
            ANONYMOUS,
            reverse("public:place", args=[public_place.pk]),
            "",
        ),
        Page(
            "report_survey",
            "statistics: survey, ward, this year (secretariat)",
            SECRETARIAT,
            reverse("reports:section", args=["survey"]),
            "P4",
            most=REPORT_REQUESTS,
        ),
        Page(
            "report_cases",
            "statistics: cases, ward, this year (secretariat)",
            SECRETARIAT,
            reverse("reports:section", args=["cases"]),
            "P4",
            most=REPORT_REQUESTS,
        ),
        Page(
            "report_agency",
            "statistics: cases, own agency (supervisor)",
            SUPERVISOR,
            reverse("reports:section", args=["cases"]),
            "P4",
            most=REPORT_REQUESTS,
        ),
    )
    own = visible.filter(OPEN, lead_worker=worker).order_by("pk").values_list("pk", flat=True)
    record_cases = [pk for pk in own if pk != case.pk] or list(own) or [case.pk]
    return Targets(
        pages=pages,
        case_id=case.pk,
        timeline_entries=getattr(case, "entries", 0),
        record_forms=tuple(reverse("records:create", args=[pk]) for pk in record_cases),
    )


def _busiest_place(worker) -> tuple[Place | None, PlaceSession | None]:
    """The place run by the worker's agency with the most named attendance, and its past session
    with the most (the page the running agency's staff open to record who came)."""
    agencies = staff_context(worker).agency_ids()
    place = (
        Place.objects.filter(agency_id__in=agencies, active=True)
        .annotate(n=Count("sessions__named"))
        .order_by("-n", "pk")
        .first()
    )
    if place is None:
        return None, None
    session = PlaceSession.objects.filter(place=place).annotate(n=Count("named")).order_by("-n", "-held_on").first()
    return place, session


def _longest(cases) -> Case | None:
    return cases.annotate(entries=Count("timeline")).order_by("-entries", "pk").first()
