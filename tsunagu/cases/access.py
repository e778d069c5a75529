"""The one door to cases (docs/access.md; decisions 0002 and 0014).

FULL: the user works for an agency on the case's current team (caseworker, supervisor or desk),
or opened it by emergency access (read only). SUMMARY: the desk sees the coordination summary of
every case; an agency with an open referral on the case, or one that attended a case meeting
discussing it, sees the same summary. Anybody else: 404, the case's existence is not revealed.

Each basis is a grant (``cases/grants.py``), contributed by the app that owns it. Every read of
cases goes through the functions below, which ask the grants: the page (:func:`case_access`,
:func:`case_get_for_user`), the lists (:func:`cases_visible_to`), the links
(:func:`cases_openable`) and any other reading of cases (:func:`cases_seen_by`).
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.grants import (
    Access,
    Level,
    emergency_reason,
    grants,
    grants_explain,
    grants_filter,
    team_filter,
)
from tsunagu.cases.models import Case
from tsunagu.core.types import User

__all__ = [
    "Access",
    "Level",
    "case_access",
    "case_get_by_number_for_user",
    "case_get_for_emergency",
    "case_get_for_user",
    "case_level",
    "cases_openable",
    "cases_seen_by",
    "cases_visible_to",
    "emergency_reason",
    "event_reason",
    "full_access",
    "household_case_access",
    "team_filter",
]


def cases_seen_by(
    user: User, *, level: Level = Level.SUMMARY, listed: bool = False, write: bool = False
) -> QuerySet[Case]:
    """The cases the user sees at ``level`` or more, by the same grants as :func:`case_access`:
    with ``listed``, only by the grants that list their cases (the team, the desk); with
    ``write``, only those the user may change (the team). The one filter for lists, searches,
    charts and exports."""
    rule = grants_filter(user, staff_context(user), level=level, listed=listed, write=write)
    return Case.objects.none() if rule is None else Case.objects.filter(rule)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The user's case list: the team's cases (FULL) and, for the desk, every case (SUMMARY).
    Cases opened by emergency access, a referral or a meeting are reached from those pages."""
    return cases_seen_by(user, listed=True)


def case_access(user: User, case: Case) -> Access:
    """How much of ``case`` the user sees and why (the first grant that applies, highest level
    first); ``Access(Level.NONE)`` when no grant does."""
    return grants_explain(user, staff_context(user), case)


def case_level(user: User, case: Case, *, write: bool = False) -> Level:
    """The level of a case the user sees; with ``write``, only the team may change it (emergency
    access is for reading)."""
    access = case_access(user, case)
    if write and not access.can_write:
        return Level.NONE
    return access.level


def case_get_for_user(user: User, pk: int, *, write: bool = False) -> tuple[Case, Access]:
    """The case and how much of it the user sees, and why; 404 when they may not see it (or
    write it)."""
    case = Case.objects.select_related("household", "household__district").filter(pk=pk).first()
    if case is None:
        raise Http404
    access = case_access(user, case)
    level = access.level
    if level == Level.NONE or (write and not access.can_write):
        raise Http404
    person_ids = list(case.household.members.values_list("pk", flat=True)) if level == Level.FULL else []
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="case",
        object_ids=[case.pk],
        person_ids=person_ids,
        case_id=case.pk,
        reason=event_reason(access),
        basis=access.basis,
    )
    return case, access


def case_get_by_number_for_user(user: User, pk: int, *, write: bool = False) -> Case | None:
    """The case typed by its number on a form (``pk``, from ``CaseNumberMixin.case_pk``) when the
    user may see it (with ``write``: change it), else None, so that the form answers a hidden case
    like a missing one. Nothing of the case is shown, so no read is recorded; the service that
    uses it records its write."""
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        return None
    access = case_access(user, case)
    if access.level == Level.NONE or (write and not access.can_write):
        return None
    return case


def case_get_for_emergency(user: User, pk: int) -> tuple[Case | None, Access]:
    """The case a user asks to open by emergency access (break the glass), and their access to it
    now. Emergency access may reach every case, which is its point; nothing of the case is shown
    before ``services.emergency_open`` has recorded the reason and the grant, and the case page
    then reads it through :func:`case_get_for_user` (decision 0012)."""
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        return None, Access(Level.NONE)
    return case, case_access(user, case)


def household_case_access(user: User, household_id: int) -> tuple[int, Access] | None:
    """The newest case of a household that the user sees in full, and on which grant: the
    first FULL grant (in the order of :func:`case_access`) that opens one of its cases. For the
    people doors, which admit what a case admits and record the case the read comes from."""
    context = staff_context(user)
    for grant in grants():
        if grant.level < Level.FULL:
            continue
        rule = grant.cases(user, context)
        if rule is None:
            continue
        case = Case.objects.filter(rule, household_id=household_id).order_by("-opened_at", "-pk").first()
        if case is None:
            continue
        access = grant.explain(user, context, case)
        if access is not None:
            return case.pk, access
    return None


def full_access(user: User, case: Case, *, write: bool = False) -> Access | None:
    """The user's access to the whole case (for the doors of its records, assessments and plans),
    or None; with ``write``, only the team."""
    access = case_access(user, case)
    if access.level != Level.FULL or (write and not access.can_write):
        return None
    return access


def event_reason(access: Access) -> str:
    """The ``reason`` of an access event read through ``access`` (its basis is stored apart)."""
    return access.reason


def cases_openable(user: User, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` the user may open (at any level), in one query, so that lists and
    pages link only what opens and show the others' numbers as text (issue 8, defect 12).

    The filters of the same grants that :func:`case_access` explains; a test compares the two
    for every persona and case."""
    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return set()
    return set(cases_seen_by(user).filter(pk__in=ids).values_list("pk", flat=True))
