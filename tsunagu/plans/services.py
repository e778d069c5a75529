"""Writes of support plans: drafting, submitting, a supervisor's decision, new versions."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.cases.work_state import case_lock
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.people.models import Person
from tsunagu.plans.models import Goal, GoalStatus, GoalTarget, PlanStatus, SupportPlan
from tsunagu.plans.work_state import plan_review_refresh

GOAL_FIELDS = ("target", "person", "text", "action", "owner", "due_on", "status")
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


@dataclass(frozen=True)
class GoalData:
    """One goal of a plan: for the person (``person`` chosen), the family or the household, with
    the support that goes with it."""

    target: str
    text: str
    person: Person | None = None
    action: str = ""
    owner: Agency | None = None
    due_on: dt.date | None = None
    status: str = GoalStatus.OPEN

    @classmethod
    def from_cleaned(cls, row: Mapping[str, Any]) -> "GoalData":
        """From one goal row of the plan form's cleaned data (an empty action or status box is
        no action and an open goal)."""
        return cls(
            target=row["target"],
            text=row["text"],
            person=row.get("person"),
            action=row.get("action") or "",
            owner=row.get("owner"),
            due_on=row.get("due_on"),
            status=row.get("status") or GoalStatus.OPEN,
        )

    @classmethod
    def of(cls, goal: Goal) -> "GoalData":
        """A goal as it is written (a new version of a plan starts from them)."""
        return cls(**{name: getattr(goal, name) for name in GOAL_FIELDS})


def _check_goals(case: Case, goals: Sequence[GoalData]) -> None:
    members = set(case.household.members.values_list("pk", flat=True))
    for goal in goals:
        person = goal.person
        if goal.target == GoalTarget.PERSON and person is None:
            raise ValidationError(_("本人の目標には、対象の人を選んでください。"))
        if person is not None and person.pk not in members:
            raise ValidationError(_("このケースの世帯の人だけを選べます。"))


def _write_goals(plan: SupportPlan, goals: Sequence[GoalData]) -> None:
    plan.goals.all().delete()
    for order, goal in enumerate(goals):
        Goal.objects.create(
            plan=plan,
            order=order,
            **{name: getattr(goal, name) for name in GOAL_FIELDS},
        )


def _event(user: User, plan: SupportPlan, action: str, summary: str) -> None:
    timeline_add(
        case=plan.case,
        kind=TimelineKind.PLAN,
        object_id=plan.pk,
        user=user,
        summary=f"{_('支援計画 第%(n)s版') % {'n': plan.number}}：{summary}",
    )
    person_ids = [g.person_id for g in plan.goals.all() if g.person_id]
    access_record(
        user=user, action=action, object_type="plan", object_ids=[plan.pk], person_ids=person_ids, case_id=plan.case_id
    )


def plan_create(
    *,
    user: User,
    case: Case,
    review_on: dt.date,
    goals: Sequence[GoalData],
    key: uuid.UUID | None,
    supersedes: SupportPlan | None = None,
) -> tuple[SupportPlan, bool]:
    """A new draft (all or nothing: the plan and its goals are written together, R1)."""
    _check_goals(case, goals)

    def create() -> SupportPlan:
        number = (case.plans.aggregate(n=Max("number"))["n"] or 0) + 1
        plan = SupportPlan.objects.create(
            case=case, number=number, review_on=review_on, supersedes=supersedes, created_by=user, updated_by=user
        )
        _write_goals(plan, goals)
        _event(user, plan, Action.CREATE, _("作成"))
        return plan

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def plan_update(
    *, user: User, plan: SupportPlan, expected_version: int, review_on: dt.date, goals: Sequence[GoalData]
) -> SupportPlan:
    if plan.status not in EDITABLE:
        raise ValidationError(_("承認待ち・承認済みの計画は変更できません。新しい版を作ってください。"))
    _check_goals(plan.case, goals)
    with transaction.atomic():
        plan = save_versioned(obj=plan, expected_version=expected_version, user=user, fields={"review_on": review_on})
        _write_goals(plan, goals)
        _event(user, plan, Action.UPDATE, _("修正"))
    return plan


def plan_submit(*, user: User, plan: SupportPlan, expected_version: int) -> SupportPlan:
    if plan.status not in EDITABLE:
        raise ValidationError(_("この計画は提出できる状態ではありません。"))
    if not plan.goals.exists():
        raise ValidationError(_("目標を1つ以上書いてから提出してください。"))
    with transaction.atomic():
        plan = save_versioned(
            obj=plan,
            expected_version=expected_version,
            user=user,
            fields={"status": PlanStatus.SUBMITTED, "submitted_at": timezone.now()},
        )
        _event(user, plan, Action.UPDATE, _("承認を依頼"))
    return plan


def may_decide(user: User, plan: SupportPlan) -> bool:
    """A supervisor of the case's current lead agency decides on its plans (partners do not: the
    lead agency is accountable for the plan)."""
    supervised = staff_context(user).agency_ids("supervisor")
    return plan.case.team.filter(agency_id__in=supervised, role=TeamRole.LEAD, until__isnull=True).exists()


def plan_decide(*, user: User, plan: SupportPlan, expected_version: int, approve: bool, comment: str) -> SupportPlan:
    if not may_decide(user, plan):
        raise PermissionDenied
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("承認待ちの計画ではありません。"))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("差し戻すときは、理由をコメントに書いてください。")})
    status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    with transaction.atomic():
        if approve:
            case_lock(plan.case_id)  # an approval moves the case's work state (decision 0024)
        plan = save_versioned(
            obj=plan,
            expected_version=expected_version,
            user=user,
            fields={"status": status, "decided_at": timezone.now(), "decided_by": user, "comment": comment},
        )
        if approve and plan.supersedes_id:
            SupportPlan.objects.filter(pk=plan.supersedes_id).update(status=PlanStatus.SUPERSEDED)
        if approve:
            plan_review_refresh(Case.objects.filter(pk=plan.case_id))
        _event(user, plan, Action.UPDATE, _("承認") if approve else _("差し戻し"))
    return plan


def plan_new_version(*, user: User, plan: SupportPlan, key: uuid.UUID | None) -> tuple[SupportPlan, bool]:
    """A new draft that starts from an approved plan's goals; the approved one stays as it was."""
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("新しい版は承認済みの計画から作ります。"))
    goals = tuple(GoalData.of(goal) for goal in plan.goals.all())
    return plan_create(user=user, case=plan.case, review_on=plan.review_on, goals=goals, key=key, supersedes=plan)
