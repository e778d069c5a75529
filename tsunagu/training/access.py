"""The one door to training courses and supervision sessions (docs/access.md).

Courses: every staff member with a membership sees them and their own training record. The
secretariat creates and edits any course and records anybody's attendance; a supervisor creates
and edits the courses of the agencies they supervise and records the attendance of those
agencies' staff, and sees their coverage. Staff names are not residents' personal data.

Supervision sessions are personal data (the notes talk about cases): a session is seen by its
supervisor and its supervisees only, everybody else (administrators and the secretariat
included) gets 404; only its supervisor changes it. Every read records one access event per
case discussed, with the persons of its household. A follow-up is marked done by its assignee
only.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.http import Http404

from tsunagu.agencies.models import CASE_ROLES, Agency, Membership, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_records
from tsunagu.cases.access import cases_visible_to
from tsunagu.cases.models import Case
from tsunagu.core.types import User
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession, TrainingAttendance, TrainingCourse

# The roles that organise courses, record attendance and read the coverage.
TRAINING_ROLES: tuple[str, ...] = (Role.SECRETARIAT, Role.SUPERVISOR)
SUPERVISION_OBJECT = "supervision"
FOLLOW_UP_OBJECT = "supervision_follow_up"


# --- courses -----------------------------------------------------------------------------------


def is_secretariat(user: User) -> bool:
    return staff_context(user).has_role(Role.SECRETARIAT)


def supervised_agency_ids(user: User) -> set[int]:
    """The agencies where the user is a supervisor."""
    return staff_context(user).agency_ids(Role.SUPERVISOR)


def courses_visible_to(user: User) -> QuerySet[TrainingCourse]:
    if not staff_context(user).memberships:
        return TrainingCourse.objects.none()
    return TrainingCourse.objects.all()


def course_can_edit(user: User, course: TrainingCourse) -> bool:
    return is_secretariat(user) or course.organiser_id in supervised_agency_ids(user)


def course_get_for_user(user: User, pk: int, *, write: bool = False) -> TrainingCourse:
    course = courses_visible_to(user).select_related("organiser").filter(pk=pk).first()
    if course is None or (write and not course_can_edit(user, course)):
        raise Http404
    return course


def course_organisers(user: User) -> QuerySet[Agency]:
    """The agencies the user may name as a course's organiser."""
    agencies = Agency.objects.filter(active=True)
    return agencies if is_secretariat(user) else agencies.filter(pk__in=supervised_agency_ids(user))


def staff_of(agency_ids: Iterable[int] | None) -> QuerySet[User]:
    """Active users with an active membership (of any agency when ``agency_ids`` is None)."""
    memberships = Membership.objects.filter(active=True, agency__active=True)
    if agency_ids is not None:
        memberships = memberships.filter(agency_id__in=list(agency_ids))
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def attendance_staff(user: User) -> QuerySet[User]:
    """The staff whose attendance the user may record: anybody for the secretariat, the staff of
    their supervised agencies for a supervisor, nobody else."""
    if is_secretariat(user):
        return staff_of(None)
    agencies = supervised_agency_ids(user)
    return staff_of(agencies) if agencies else get_user_model().objects.none()


def attendances_shown(user: User, course: TrainingCourse) -> QuerySet[TrainingAttendance]:
    """A course's roster as the user sees it: the whole roster for whoever edits the course, the
    supervised agencies' staff for another supervisor, and everybody's own line."""
    rows = course.attendances.select_related("user")
    if course_can_edit(user, course):
        return rows
    rule = Q(user=user)
    agencies = supervised_agency_ids(user)
    if agencies:
        rule |= Q(user__in=staff_of(agencies))
    return rows.filter(rule)


def coverage_agencies(user: User) -> QuerySet[Agency]:
    """The agencies whose training coverage the user reads: every agency for the secretariat,
    the supervised ones for a supervisor."""
    agencies = Agency.objects.filter(active=True)
    return agencies if is_secretariat(user) else agencies.filter(pk__in=supervised_agency_ids(user))


# --- supervision -------------------------------------------------------------------------------


def sessions_visible_to(user: User) -> QuerySet[SupervisionSession]:
    rule = Q(supervisor=user) | Q(supervisees=user)
    return SupervisionSession.objects.filter(pk__in=SupervisionSession.objects.filter(rule).values("pk"))


def supervisees_for(user: User) -> QuerySet[User]:
    """Who the user may supervise: the staff who work cases in an agency the user supervises."""
    agencies = supervised_agency_ids(user)
    if not agencies:
        return get_user_model().objects.none()
    memberships = Membership.objects.filter(
        active=True, agency__active=True, agency_id__in=agencies, role__in=CASE_ROLES
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "username")
    )


def cases_discussable(user: User) -> QuerySet[Case]:
    """The cases a supervisor may put on a session: those they see (the case door's list rule)."""
    return cases_visible_to(user)


def _household_members(case_ids: Iterable[int]) -> dict[int, list[int]]:
    from tsunagu.people.models import Person

    members: dict[int, list[int]] = {case_id: [] for case_id in case_ids}
    if not members:
        return members
    rows = Person.objects.filter(household__cases__in=list(members)).values_list("pk", "household__cases")
    for pk, case_id in rows:
        members[case_id].append(pk)
    return members


def supervision_events(
    *, user: User, action: str, object_type: str, object_ids: Iterable[int], case_ids: Iterable[int], reason: str
) -> None:
    """One access event per case (with its household's persons), or one without a case when none
    was discussed; in one INSERT."""
    object_ids = list(object_ids)
    case_ids = sorted(set(case_ids))
    members = _household_members(case_ids)
    reads = [
        Read(
            object_type=object_type,
            object_ids=object_ids,
            person_ids=members.get(case_id, []),
            case_id=case_id,
            reason=reason,
        )
        for case_id in case_ids
    ] or [Read(object_type=object_type, object_ids=object_ids, reason=reason)]
    access_records(user=user, action=action, reads=reads)


def session_reason(session_id: int) -> str:
    return f"supervision {session_id}"


def session_get_for_user(user: User, pk: int, *, write: bool = False) -> SupervisionSession:
    session = sessions_visible_to(user).select_related("supervisor").filter(pk=pk).first()
    if session is None or (write and session.supervisor_id != user.pk):
        raise Http404
    supervision_events(
        user=user,
        action=Action.VIEW,
        object_type=SUPERVISION_OBJECT,
        object_ids=[session.pk],
        case_ids=session.cases.values_list("pk", flat=True),
        reason=session_reason(session.pk),
    )
    return session


def follow_up_get_for_user(user: User, pk: int) -> SupervisionFollowUp:
    """A follow-up its assignee marks done; 404 for anybody else."""
    follow_up = SupervisionFollowUp.objects.select_related("session").filter(pk=pk, assignee=user).first()
    if follow_up is None:
        raise Http404
    return follow_up


def follow_ups_open_for(user: User, *, limit: int = 20) -> tuple[list[SupervisionFollowUp], int]:
    """The user's open follow-ups, the earliest due first, at most ``limit``, and how many more;
    the read is recorded (per case of their sessions)."""
    rows = list(
        SupervisionFollowUp.objects.filter(assignee=user, done_at__isnull=True)
        .select_related("session", "session__supervisor")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[: limit + 1]
    )
    more = 0
    if len(rows) > limit:
        more = SupervisionFollowUp.objects.filter(assignee=user, done_at__isnull=True).count() - limit
        rows = rows[:limit]
    if rows:
        session_ids = {f.session_id for f in rows}
        through = SupervisionSession.cases.through.objects.filter(supervisionsession_id__in=session_ids)
        supervision_events(
            user=user,
            action=Action.VIEW,
            object_type=FOLLOW_UP_OBJECT,
            object_ids=[f.pk for f in rows],
            case_ids=through.values_list("case_id", flat=True),
            reason="work page",
        )
    return rows, more
