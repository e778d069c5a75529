"""S2: persona × object relation × action → 200 or 404, with no leak anywhere.

The world: ``case`` is led by メルクマールせたがや (lead_worker's and supervisor's agency);
``other_case`` by ぷらっとホーム世田谷; ``waiting`` is a consultation not yet triaged.
"""

import pytest
from django.urls import reverse

from tsunagu.core.tests.personas import client_for
from tsunagu.places.tests.factories import enrolment_of, merkmal_place, merkmal_session, named_of

ALL = ["desk", "lead_worker", "supervisor", "outsider", "secretariat", "partner", "admin_user", None]


def expect(desk, team, outsider, others):
    """Statuses for: desk, the team (lead_worker, supervisor), outsider, the rest, anonymous."""
    return {
        "desk": desk,
        "lead_worker": team,
        "supervisor": team,
        "outsider": outsider,
        "secretariat": others,
        "partner": others,
        "admin_user": others,
        None: 302,
    }


# (url name, kwargs builder, expected statuses)
MATRIX = [
    # person on the team's case / on another agency's case
    ("people:person_detail", lambda w: {"pk": w.person.pk}, expect(200, 200, 404, 404)),
    ("people:person_edit", lambda w: {"pk": w.person.pk}, expect(200, 200, 404, 404)),
    ("people:person_detail", lambda w: {"pk": w.other_person.pk}, expect(200, 404, 404, 404)),
    ("people:person_edit", lambda w: {"pk": w.other_person.pk}, expect(200, 404, 404, 404)),
    # household
    ("people:household_detail", lambda w: {"pk": w.household.pk}, expect(200, 200, 404, 404)),
    ("people:household_edit", lambda w: {"pk": w.household.pk}, expect(200, 200, 404, 404)),
    ("people:person_create", lambda w: {"household_pk": w.household.pk}, expect(200, 200, 404, 404)),
    ("people:household_detail", lambda w: {"pk": w.other_household.pk}, expect(200, 404, 404, 404)),
    ("people:person_create", lambda w: {"household_pk": w.other_household.pk}, expect(200, 404, 404, 404)),
    # consultation that led to the team's case / one still waiting at the desk
    ("intake:detail", lambda w: {"pk": w.consultation.pk}, expect(200, 200, 404, 404)),
    ("intake:edit", lambda w: {"pk": w.consultation.pk}, expect(200, 404, 404, 404)),
    ("intake:detail", lambda w: {"pk": w.waiting.pk}, expect(200, 404, 404, 404)),
    ("intake:edit", lambda w: {"pk": w.waiting.pk}, expect(200, 404, 404, 404)),
    ("intake:triage", lambda w: {"pk": w.waiting.pk}, expect(200, 404, 404, 404)),
    # case: full for the team, the coordination summary for the desk
    ("cases:detail", lambda w: {"pk": w.case.pk}, expect(200, 200, 404, 404)),
    ("cases:detail", lambda w: {"pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    # changing a case and recording on it: the team only (the desk sees a summary, not enough)
    ("cases:status", lambda w: {"pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("cases:status", lambda w: {"pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("records:create", lambda w: {"case_pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("records:create", lambda w: {"case_pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("records:detail", lambda w: {"pk": w.record.pk}, expect(404, 200, 404, 404)),
    ("cases:lead_worker", lambda w: {"pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("cases:team", lambda w: {"pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("cases:consents", lambda w: {"pk": w.case.pk}, expect(404, 200, 404, 404)),
    # assessments: the team of the case only
    ("assessments:person_new", lambda w: {"case_pk": w.case.pk, "person_pk": w.person.pk}, expect(404, 200, 404, 404)),
    ("assessments:family_new", lambda w: {"case_pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("assessments:family_new", lambda w: {"case_pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("assessments:detail", lambda w: {"pk": w.assessment.pk}, expect(404, 200, 404, 404)),
    ("assessments:edit", lambda w: {"pk": w.assessment.pk}, expect(404, 200, 404, 404)),
    ("assessments:history", lambda w: {"person_pk": w.person.pk}, expect(200, 200, 404, 404)),
    # support plans: the team of the case only
    ("plans:new", lambda w: {"case_pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("plans:new", lambda w: {"case_pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("plans:detail", lambda w: {"pk": w.plan.pk}, expect(404, 200, 404, 404)),
    ("plans:edit", lambda w: {"pk": w.plan.pk}, expect(404, 200, 404, 404)),
    ("cases:lead_worker", lambda w: {"pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("cases:stage", lambda w: {"pk": w.case.pk, "person_pk": w.person.pk}, expect(404, 200, 404, 404)),
    ("records:correct", lambda w: {"pk": w.record.pk}, expect(404, 200, 404, 404)),
    # places (issue 12): the registry and its sessions are no personal data (every staff role
    # with a membership); changing them is for the running agency (メルクマール runs this one)
    ("places:list", lambda w: {}, expect(200, 200, 200, 200)),
    ("places:detail", lambda w: {"pk": merkmal_place().pk}, expect(200, 200, 200, 200)),
    ("places:edit", lambda w: {"pk": merkmal_place().pk}, expect(404, 200, 404, 404)),
    ("places:session_new", lambda w: {"pk": merkmal_place().pk}, expect(404, 200, 404, 404)),
    ("places:session", lambda w: {"pk": merkmal_session().pk}, expect(200, 200, 200, 200)),
    ("places:session_edit", lambda w: {"pk": merkmal_session().pk}, expect(404, 200, 404, 404)),
    # enrolments belong to the case: its team only
    ("places:enrolments", lambda w: {"case_pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("places:enrolment_new", lambda w: {"case_pk": w.case.pk}, expect(404, 200, 404, 404)),
    ("places:enrolment_new", lambda w: {"case_pk": w.other_case.pk}, expect(200, 404, 404, 404)),
    ("places:enrolment_end", lambda w: {"pk": enrolment_of(w).pk}, expect(404, 200, 404, 404)),
    # a person's disclosure: the central desk's supervisors only (decision 0030)
    ("disclosure:person", lambda w: {"pk": w.person.pk}, expect(404, 404, 404, 404)),
    # exports of a meeting's cases (issue 13 item 5): the meeting door's rule; メルクマール
    # organises, あんしん協働 (outsider's agency) attends the first meeting, nobody the second
    ("reports:meeting_cases_csv", lambda w: {"pk": _meeting(["anshin-kyodo"]).pk}, expect(404, 200, 200, 404)),
    ("reports:meeting_cases_xlsx", lambda w: {"pk": _meeting(["anshin-kyodo"]).pk}, expect(404, 200, 200, 404)),
    ("reports:meeting_cases_csv", lambda w: {"pk": _meeting([]).pk}, expect(404, 200, 404, 404)),
    ("reports:meeting_cases_xlsx", lambda w: {"pk": _meeting([]).pk}, expect(404, 200, 404, 404)),
    # events (issue 12): edited by the desk, caseworkers, supervisors and secretariat of the
    # organising agency only; the partner and the administrator role edit none
    ("events:edit", lambda w: {"pk": _event("merkmal").pk}, expect(404, 200, 404, 404)),
    ("events:edit", lambda w: {"pk": _event("link").pk}, expect(200, 404, 404, 404)),
    # The statistics (issue 13): the secretariat every section, the desk the desk's, a supervisor
    # their agency's; nobody else (caseworkers, partners, administrators) any.
    (
        "reports:section",
        lambda w: {"section": "survey"},
        {**expect(404, 404, 404, 404), "supervisor": 200, "secretariat": 200},
    ),
    (
        "reports:section",
        lambda w: {"section": "desk"},
        {**expect(200, 404, 404, 404), "secretariat": 200},
    ),
    (
        "reports:xlsx",
        lambda w: {"section": "cases"},
        {**expect(404, 404, 404, 404), "supervisor": 200, "secretariat": 200},
    ),
    (
        "events:edit",
        lambda w: {"pk": _event("ward-seikatsu-fukushi").pk},
        {**expect(404, 404, 404, 404), "secretariat": 200},
    ),
    # the survey's estimate parameters (issue 13): the secretariat only (an object page: 404)
    ("reports:estimate_edit", lambda w: {"pk": _estimate().pk}, {**expect(404, 404, 404, 404), "secretariat": 200}),
]


def _estimate():
    from tsunagu.reports.models import PrevalenceEstimate

    return PrevalenceEstimate.objects.create(label="15〜39歳", age_low=15, age_high=39, population=1000, rate_percent=1)


def _meeting(agency_codes):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tsunagu.agencies.models import Agency
    from tsunagu.cases.models import Case
    from tsunagu.meetings.services import meeting_add_case, meeting_create

    organiser = get_user_model().objects.get(username="lead_worker")
    meeting, _created = meeting_create(
        user=organiser,
        organiser=Agency.objects.get(code="merkmal"),
        kind="support_art9",
        title="支援会議",
        held_at=timezone.now(),
        place="",
        agencies=[Agency.objects.get(code=code) for code in agency_codes],
    )
    meeting_add_case(user=organiser, meeting=meeting, case=Case.objects.get(household__label="池尻の山田さん宅"))
    return meeting


def _event(agency_code):
    from tsunagu.places.tests.public_factories import event_make

    return event_make("区民向けの講演会", agency=agency_code)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize(("name", "kwargs", "expected"), MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(MATRIX)])
def test_access_matrix(world, users, persona, name, kwargs, expected):
    client = client_for(users[persona] if persona else None)
    response = client.get(reverse(name, kwargs=kwargs(world)))
    assert response.status_code == expected[persona]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
def test_a_missing_object_and_a_hidden_one_look_the_same(world, users, persona):
    if persona in ("desk", None):
        return
    client = client_for(users[persona])
    hidden = client.get(reverse("cases:detail", kwargs={"pk": world.other_case.pk}))
    missing = client.get(reverse("cases:detail", kwargs={"pk": 999999}))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.django_db
def test_search_finds_only_what_the_user_may_see(world, users):
    def names(persona, q):
        response = client_for(users[persona]).post(reverse("people:search"), {"q": q})
        return response.status_code, [p.pk for p in response.context["results"] or []] if response.context else None

    assert names("desk", "山田") == (200, [world.person.pk])
    assert names("desk", "高橋") == (200, [world.other_person.pk])
    assert names("lead_worker", "山田") == (200, [world.person.pk])
    assert names("lead_worker", "高橋") == (200, [])
    assert names("outsider", "山田") == (200, [])
    assert names("outsider", "高橋") == (200, [])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["secretariat", "partner", "admin_user"])
def test_roles_without_personal_data_cannot_search_or_list(world, users, persona):
    client = client_for(users[persona])
    assert client.post(reverse("people:search"), {"q": "山田"}).status_code == 403
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("reports:cases_csv")).status_code == 403
    assert client.get(reverse("reports:cases_xlsx")).status_code == 403
    assert client.get(reverse("intake:queue")).status_code == 403


@pytest.mark.django_db
def test_case_list_shows_the_team_its_own_cases_only(world, users):
    def listed(persona):
        return [c.pk for c in client_for(users[persona]).get(reverse("cases:list")).context["rows"]]

    assert listed("lead_worker") == [world.case.pk]
    assert listed("supervisor") == [world.case.pk]
    assert listed("outsider") == []
    assert sorted(listed("desk")) == sorted([world.case.pk, world.other_case.pk])


@pytest.mark.django_db
def test_the_desk_sees_only_the_summary_of_a_case_it_is_not_on(world, users):
    response = client_for(users["desk"]).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert response.context["full"] is False
    assert "山田 太郎" not in response.content.decode()
    assert "メルクマールせたがや" in response.content.decode()
    response = client_for(users["lead_worker"]).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert response.context["full"] is True
    assert "山田 太郎" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "outsider", "secretariat", "partner", "admin_user", None])
@pytest.mark.parametrize("action", ["submit", "decide", "new_version"])
def test_plan_actions_are_refused_outside_the_team(world, users, persona, action):
    client = client_for(users[persona] if persona else None)
    before = (world.plan.status, world.plan.version)
    url = reverse(f"plans:{action}", kwargs={"pk": world.plan.pk})
    response = client.post(url, {"version": 1})
    assert response.status_code in ((302,) if persona is None else (404,))
    if persona is None:
        assert response["Location"] == f"{reverse('login')}?next={url}"
    world.plan.refresh_from_db()
    assert (world.plan.status, world.plan.version) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["secretariat", "partner", "admin_user"])
def test_emergency_access_is_for_staff_who_work_cases(world, users, persona):
    assert client_for(users[persona]).get(reverse("cases:emergency")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["secretariat", "partner", "admin_user"])
def test_my_work_is_for_staff_who_work_cases(world, users, persona):
    assert client_for(users[persona]).get(reverse("work:my_work")).status_code == 403
    assert client_for(users["lead_worker"]).get(reverse("work:my_work")).status_code == 200


@pytest.mark.django_db
def test_the_desk_queue_is_for_the_desk(world, users):
    assert client_for(users["desk"]).get(reverse("intake:queue")).status_code == 200
    for persona in ("lead_worker", "outsider"):
        assert client_for(users[persona]).get(reverse("intake:queue")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("referrals:inbox", {"desk", "lead_worker", "supervisor", "outsider", "partner"}),
        ("meetings:list", {"desk", "lead_worker", "supervisor", "outsider", "secretariat"}),
        ("meetings:new", {"desk", "lead_worker", "supervisor", "outsider", "secretariat"}),
        # events (issue 12): everybody with a membership sees the list; the roles that organise create
        ("events:list", {"desk", "lead_worker", "supervisor", "outsider", "secretariat", "partner", "admin_user"}),
        ("events:new", {"desk", "lead_worker", "supervisor", "outsider", "secretariat"}),
        ("places:list", {"desk", "lead_worker", "supervisor", "outsider", "secretariat", "partner", "admin_user"}),
        ("places:new", {"desk", "lead_worker", "supervisor", "outsider"}),
        # the survey's estimate parameters (issue 13): the secretariat only
        ("reports:estimates", {"secretariat"}),
        # the case list's exports (issue 13 item 5): whoever has a case list
        ("reports:cases_csv", {"desk", "lead_worker", "supervisor", "outsider"}),
        ("reports:cases_xlsx", {"desk", "lead_worker", "supervisor", "outsider"}),
    ],
)
def test_coordination_lists_by_role(world, users, name, allowed):
    for persona, user in users.items():
        expected = 200 if persona in allowed else 403
        assert client_for(user).get(reverse(name)).status_code == expected, persona


# --- training and supervision (issue 12) -------------------------------------------------------
# A course organised by メルクマール (the supervisor's agency); a supervision session of the
# supervisor with lead_worker on ``world.case``, with a follow-up for lead_worker; a second
# supervisor of the same agency, who is not in the session.

TRAINING_PERSONAS = [*ALL, "supervisor2"]


@pytest.fixture
def training_world(world, users):
    from tsunagu.agencies.models import Role
    from tsunagu.core.tests.personas import make_user
    from tsunagu.training.tests.helpers import make_course, make_follow_up, make_session

    users["supervisor2"] = make_user("supervisor2", "merkmal", Role.SUPERVISOR)
    course = make_course(users["supervisor"])
    session = make_session(users["supervisor"], [users["lead_worker"]], [world.case])
    follow_up = make_follow_up(session, users["lead_worker"])
    return {"course": course, "session": session, "follow_up": follow_up}


def training_expect(**statuses):
    """Every persona answers ``other`` unless named; anonymous is sent to the login."""
    other = statuses.pop("other")
    return {**{p: other for p in TRAINING_PERSONAS}, None: 302, **statuses}


TRAINING_READERS = ("supervisor", "secretariat", "supervisor2")
TRAINING_MATRIX = [
    # pages of every staff member
    ("training:list", None, training_expect(other=200)),
    ("training:mine", None, training_expect(other=200)),
    ("training:detail", "course", training_expect(other=200)),
    # organising and coverage: the secretariat and supervisors (a list page: 403; an object: 404)
    ("training:new", None, training_expect(other=403, **{p: 200 for p in TRAINING_READERS})),
    ("training:coverage", None, training_expect(other=403, **{p: 200 for p in TRAINING_READERS})),
    ("training:edit", "course", training_expect(other=404, **{p: 200 for p in TRAINING_READERS})),
    # supervision: the list and the form by role; a session for its supervisor and supervisees only
    (
        "supervision:list",
        None,
        training_expect(other=403, desk=200, lead_worker=200, supervisor=200, outsider=200, supervisor2=200),
    ),
    ("supervision:new", None, training_expect(other=403, supervisor=200, supervisor2=200)),
    ("supervision:detail", "session", training_expect(other=404, supervisor=200, lead_worker=200)),
    ("supervision:edit", "session", training_expect(other=404, supervisor=200)),
]


# The POST-only places views (counts, needs, named attendance): the running agency writes, the
# rest get 404, and nothing is written.
PLACES_POSTS = [
    ("places:session_counts", lambda w: {"pk": merkmal_session().pk}),
    ("places:session_needs", lambda w: {"pk": merkmal_session().pk}),
    ("places:named_add", lambda w: {"pk": merkmal_session().pk}),
    ("places:named_remove", lambda w: {"pk": named_of(w).pk}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", TRAINING_PERSONAS)
@pytest.mark.parametrize(
    ("name", "obj", "expected"), TRAINING_MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(TRAINING_MATRIX)]
)
def test_training_access_matrix(training_world, users, persona, name, obj, expected):
    kwargs = {"pk": training_world[obj].pk} if obj else {}
    response = client_for(users[persona] if persona else None).get(reverse(name, kwargs=kwargs))
    assert response.status_code == expected[persona]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", TRAINING_PERSONAS)
def test_training_writes_by_persona(training_world, users, persona):
    """The POST-only doors: recording attendance (the secretariat and supervisors), adding a
    follow-up (the session's supervisor) and marking one done (its assignee). Refused: 404 and
    nothing written."""
    from tsunagu.training.models import SupervisionFollowUp, TrainingAttendance

    client = client_for(users[persona] if persona else None)
    course, session, follow_up = (training_world[k] for k in ("course", "session", "follow_up"))
    attendance = client.post(
        reverse("training:attendance", kwargs={"pk": course.pk}),
        {"attendee": users["lead_worker"].pk, "completed": "1"},
    )
    added = client.post(
        reverse("supervision:follow_up_add", kwargs={"pk": session.pk}),
        {
            "assignee": users["lead_worker"].pk,
            "text": "記録を見直す",
            "submission_key": "6b0f8b2e-0000-4000-8000-000000000001",
        },
    )
    done = client.post(reverse("supervision:follow_up_done", kwargs={"pk": follow_up.pk}), {"version": 1})
    if persona is None:
        assert (attendance.status_code, added.status_code, done.status_code) == (302, 302, 302)
        assert not TrainingAttendance.objects.exists()
        return
    assert attendance.status_code == (302 if persona in TRAINING_READERS else 404)
    assert TrainingAttendance.objects.exists() == (persona in TRAINING_READERS)
    assert added.status_code == (302 if persona == "supervisor" else 404)
    assert SupervisionFollowUp.objects.count() == (2 if persona == "supervisor" else 1)
    assert done.status_code == (302 if persona == "lead_worker" else 404)
    follow_up.refresh_from_db()
    assert (follow_up.done_at is not None) == (persona == "lead_worker")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "outsider", "secretariat", "admin_user", "supervisor2"])
def test_a_hidden_session_and_a_missing_one_look_the_same(training_world, users, persona):
    client = client_for(users[persona])
    hidden = client.get(reverse("supervision:detail", kwargs={"pk": training_world["session"].pk}))
    missing = client.get(reverse("supervision:detail", kwargs={"pk": 999999}))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "outsider", "secretariat", "partner", "admin_user", None])
@pytest.mark.parametrize(("name", "kwargs"), PLACES_POSTS, ids=[p[0] for p in PLACES_POSTS])
def test_places_writes_are_refused_outside_the_running_agency(world, users, persona, name, kwargs):
    from tsunagu.places.models import AnonymousCount, NamedAttendance

    url = reverse(name, kwargs=kwargs(world))
    named = NamedAttendance.objects.count()
    response = client_for(users[persona] if persona else None).post(
        url, {"person": world.person.pk, "role": "person", "n_person_20s_male": "3"}
    )
    assert response.status_code == (302 if persona is None else 404)
    assert NamedAttendance.objects.count() == named
    assert not AnonymousCount.objects.exists()
