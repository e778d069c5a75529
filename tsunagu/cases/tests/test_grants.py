"""One rule per basis for the case page, the lists and the links (issue 9, item 3; decision 0014).

A world where every basis of access occurs (the team, the desk, emergency access, an open
referral, a case meeting) next to the states that give none (a declined referral, an expired
grant, a meeting outside its window, a team membership that ended). For every persona and case,
the page's rule (``case_access``) and the filters (``cases_seen_by``, ``cases_openable``) agree,
grant by grant.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from tsunagu.agencies.models import Agency
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases import grants as grants_module
from tsunagu.cases.access import (
    Level,
    case_access,
    case_get_by_number_for_user,
    cases_openable,
    cases_seen_by,
    cases_visible_to,
)
from tsunagu.cases.grants import Grant, TeamGrant, grant_register, grants
from tsunagu.cases.models import Case, SharingBasis
from tsunagu.cases.services import case_open, emergency_open, team_add, team_end
from tsunagu.core.tests.personas import make_user
from tsunagu.meetings.services import meeting_add_case, meeting_create
from tsunagu.referrals.services import referral_decline, referral_send

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
REASON = "夜間に母親から緊急の電話があり、担当に連絡がつかないため"


def agency(code):
    return Agency.objects.get(code=code)


def _refer(case, sender, from_code, to_code, person):
    referral, _created = referral_send(
        user=sender,
        case=case,
        from_agency=agency(from_code),
        to_agency=agency(to_code),
        person=person,
        reason="理由",
        summary="概要",
        basis="meeting_art9",
    )
    return referral


def _meeting(user, organiser, attending, case, held_at):
    meeting, _created = meeting_create(
        user=user,
        organiser=agency(organiser),
        kind="support_art9",
        title="支援会議",
        held_at=held_at,
        place="",
        agencies=[agency(code) for code in attending],
    )
    meeting_add_case(user=user, meeting=meeting, case=case)
    return meeting


@pytest.fixture
def coordination(world, users):
    """Every basis at once. Returns (the personas, the cases)."""
    people = dict(users)
    people["attendee"] = make_user("attendee", "anshin-ikejiri", "caseworker")
    people["reader"] = make_user("reader", "anshin-soshigaya", "caseworker")
    people["late_reader"] = make_user("late_reader", "anshin-soshigaya", "supervisor")
    people["declined"] = make_user("declined", "anshin-kamiuma", "caseworker")
    people["former"] = make_user("former", "anshin-kitazawa-d", "caseworker")
    lead, desk = users["lead_worker"], users["desk"]
    with time_machine.travel(NOW - dt.timedelta(days=40), tick=False):
        third = case_open(
            user=desk, household=world.other_household, lead=agency("merkmal"), sharing_basis=SharingBasis.CONSENT
        )
        # a meeting long past: its window has closed
        _meeting(lead, "merkmal", ["merkmal", "anshin-kyodo"], third, NOW - dt.timedelta(days=40))
    with time_machine.travel(NOW - dt.timedelta(hours=4), tick=False):
        emergency_open(user=people["late_reader"], case=third, reason=REASON)  # expired by NOW
    with time_machine.travel(NOW, tick=False):
        _refer(world.case, lead, "merkmal", "anshin-kyodo", world.person)  # open: the outsider's summary
        declined = _refer(third, lead, "merkmal", "anshin-kamiuma", world.other_person)
        referral_decline(
            user=people["declined"],
            referral=declined,
            expected_version=declined.version,
            decline_reason="out_of_scope",
            comment="対象外",
        )
        _meeting(lead, "merkmal", ["merkmal", "anshin-ikejiri"], world.case, NOW)  # the attendee's summary
        emergency_open(user=people["reader"], case=world.case, reason=REASON)
        emergency_open(user=users["supervisor"], case=world.other_case, reason=REASON)
        member = team_add(user=lead, case=third, agency=agency("anshin-kitazawa-d"), basis=SharingBasis.MEETING_ART9)
        team_end(user=lead, member=member)
    return people, [world.case, world.other_case, third]


@pytest.mark.django_db
def test_the_page_the_lists_and_the_links_follow_the_same_grants(coordination):
    people, cases = coordination
    ids = [case.pk for case in cases]
    seen_bases = set()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        for name, user in people.items():
            context = staff_context(user)
            access = {case.pk: case_access(user, case) for case in cases}
            seen_bases |= {a.basis for a in access.values()}
            at_all = {pk for pk, a in access.items() if a.level > Level.NONE}
            in_full = {pk for pk, a in access.items() if a.level == Level.FULL}
            writes = {pk for pk, a in access.items() if a.can_write}
            assert set(cases_seen_by(user).filter(pk__in=ids).values_list("pk", flat=True)) == at_all, name
            assert cases_openable(user, ids) == at_all, name
            full = cases_seen_by(user, level=Level.FULL).filter(pk__in=ids)
            assert set(full.values_list("pk", flat=True)) == in_full, name
            write = cases_seen_by(user, write=True).filter(pk__in=ids)
            assert set(write.values_list("pk", flat=True)) == writes, name
            # the case list shows what the listed grants open (the team, the desk)
            listed = {pk for pk, a in access.items() if a.basis in ("team", "desk")}
            assert set(cases_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)) == listed, name
            # grant by grant: the filter opens a case exactly when the grant explains it
            for grant in grants():
                rule = grant.cases(user, context)
                by_filter = (
                    set() if rule is None else set(Case.objects.filter(rule, pk__in=ids).values_list("pk", flat=True))
                )
                by_page = {case.pk for case in cases if grant.explain(user, context, case) is not None}
                assert by_filter == by_page, (name, grant.name)
    # the world is what it says: every basis occurs
    assert seen_bases == {"team", "desk", "emergency", "referral", "meeting", ""}
    expected = {
        "outsider": {cases[0].pk: "referral"},
        "attendee": {cases[0].pk: "meeting"},
        "reader": {cases[0].pk: "emergency"},
        "late_reader": {},
        "declined": {},
        "former": {},
        "supervisor": {cases[0].pk: "team", cases[1].pk: "emergency", cases[2].pk: "team"},
    }
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        for name, bases in expected.items():
            found = {case.pk: case_access(people[name], case).basis for case in cases}
            assert {pk: basis for pk, basis in found.items() if basis} == bases, name


@pytest.mark.django_db
def test_the_number_door_admits_only_the_cases_the_user_may_change(world, users):
    lead, outsider = users["lead_worker"], users["outsider"]
    assert case_get_by_number_for_user(lead, world.case.pk, write=True) == world.case
    assert case_get_by_number_for_user(lead, world.other_case.pk, write=True) is None
    assert case_get_by_number_for_user(users["desk"], world.case.pk) == world.case  # the summary
    assert case_get_by_number_for_user(users["desk"], world.case.pk, write=True) is None
    assert case_get_by_number_for_user(outsider, world.case.pk) is None
    assert case_get_by_number_for_user(lead, 999_999) is None


def test_every_basis_is_registered_by_the_app_that_owns_it_in_the_order_that_explains():
    assert [(g.name, g.level) for g in grants()] == [
        ("team", Level.FULL),
        ("emergency", Level.FULL),
        ("referral", Level.SUMMARY),
        ("meeting", Level.SUMMARY),
        ("desk", Level.SUMMARY),
    ]
    owners = {g.name: type(g).__module__ for g in grants()}
    assert owners == {
        "team": "tsunagu.cases.grants",
        "emergency": "tsunagu.cases.grants",
        "desk": "tsunagu.cases.grants",
        "referral": "tsunagu.referrals.grants",
        "meeting": "tsunagu.meetings.grants",
    }
    assert [g.name for g in grants() if g.writes] == ["team"]
    assert [g.name for g in grants() if g.listed] == ["team", "desk"]


def test_two_grants_may_not_share_a_name():
    class Impostor(TeamGrant):
        pass

    with pytest.raises(ImproperlyConfigured):
        grant_register(Impostor())
    assert type(grants()[0]) is TeamGrant


class _Everyone(Grant):
    """A basis added in a test: every staff member sees every case's summary."""

    name = "test_everyone"
    level = Level.SUMMARY
    listed = True
    order = 95

    def cases(self, user, context):
        return grants_module.EVERY_CASE if context.memberships else None

    def explain(self, user, context, case):
        return self.access(reason="summary (test)") if context.memberships else None


@pytest.mark.django_db
def test_a_new_basis_is_one_registered_grant_for_the_page_and_the_lists(world, users, monkeypatch):
    """Adding a basis needs no change to the doors: the page, the list and the links follow."""
    partner = users["partner"]
    assert case_access(partner, world.case).level == Level.NONE
    monkeypatch.setattr(grants_module, "_registry", dict(grants_module._registry))
    monkeypatch.setattr(grants_module, "_ordered", grants_module._ordered)
    grant_register(_Everyone())
    assert case_access(partner, world.case).basis == "test_everyone"
    assert set(cases_visible_to(partner)) == set(Case.objects.all())
    assert cases_openable(partner, [world.case.pk]) == {world.case.pk}
    assert case_access(users["lead_worker"], world.case).basis == "team"  # a higher level still explains


CASES = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["access.py", "grants.py"])
def test_the_case_door_imports_neither_referrals_nor_meetings(module):
    """The referral and meeting grants are registered into cases, not imported by it."""
    tree = ast.parse((CASES / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert not {name for name in imported if name.startswith(("tsunagu.referrals", "tsunagu.meetings"))}
