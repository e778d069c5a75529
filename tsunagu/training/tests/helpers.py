"""Helpers for the training and supervision tests."""

import datetime as dt
import uuid
from decimal import Decimal

from tsunagu.agencies.models import Agency
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession, TrainingCourse
from tsunagu.training.services import course_create, follow_up_add, session_create


def make_course(user, *, organiser="merkmal", kind="basic", title="ひきこもり支援 基礎研修", held_on=None):
    course, _created = course_create(
        user=user,
        organiser=Agency.objects.get(code=organiser),
        title=title,
        held_on=held_on or dt.date(2026, 10, 1),
        hours=Decimal("1.5"),
        kind=kind,
    )
    return course


def make_session(supervisor, supervisees, cases=(), *, notes="面接の進め方を検討した。") -> SupervisionSession:
    session, _created = session_create(
        user=supervisor,
        held_on=dt.date(2026, 11, 20),
        supervisees=supervisees,
        case_ids=[c.pk for c in cases],
        notes=notes,
    )
    return session


def make_follow_up(session, assignee, text="母親への連絡の頻度を見直す", due_on=None) -> SupervisionFollowUp:
    follow_up, _created = follow_up_add(
        user=session.supervisor, session=session, assignee=assignee, text=text, due_on=due_on, key=None
    )
    return follow_up


def course_post(**overrides) -> dict:
    data = {
        "kind": "basic",
        "title": "基礎研修",
        "organiser": str(Agency.objects.get(code="merkmal").pk),
        "held_on": "令和8年10月1日",
        "hours": "1.5",
        "capacity": "",
        "description": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


__all__ = ["TrainingCourse", "course_post", "make_course", "make_follow_up", "make_session"]
