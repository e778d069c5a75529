"""Writes of cases, by subject: opening, status and stages, the lead worker, emergency access,
the team and sharing, consent, the timeline. Every public name is re-exported here, so
``from tsunagu.cases.services import case_open`` keeps working; new code may import from the
subject's module."""

from tsunagu.cases.services.consent import consent_create, consent_withdraw
from tsunagu.cases.services.emergency import (
    EMERGENCY_REPEAT_COUNT,
    EMERGENCY_REPEAT_DAYS,
    EMERGENCY_REVIEW_READS,
    OBJECT_TYPE_LABELS,
    EmergencyLimitReached,
    day_start,
    emergency_in_scope_of,
    emergency_open,
    emergency_repeated,
    emergency_review,
    emergency_review_details,
    emergency_reviewable_by,
)
from tsunagu.cases.services.lead_worker import case_set_lead_worker, eligible_workers
from tsunagu.cases.services.opening import case_open
from tsunagu.cases.services.status import case_change_status, person_set_stage
from tsunagu.cases.services.team import _check_basis, lead_handoff, team_add, team_end
from tsunagu.cases.services.timeline import timeline_add

__all__ = [
    "EMERGENCY_REPEAT_COUNT",
    "EMERGENCY_REPEAT_DAYS",
    "EMERGENCY_REVIEW_READS",
    "OBJECT_TYPE_LABELS",
    "EmergencyLimitReached",
    "_check_basis",
    "case_change_status",
    "case_open",
    "case_set_lead_worker",
    "consent_create",
    "consent_withdraw",
    "day_start",
    "eligible_workers",
    "emergency_in_scope_of",
    "emergency_open",
    "emergency_repeated",
    "emergency_review",
    "emergency_review_details",
    "emergency_reviewable_by",
    "lead_handoff",
    "person_set_stage",
    "team_add",
    "team_end",
    "timeline_add",
]
