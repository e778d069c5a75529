from tsunagu.agencies.models import MEETING_ROLES, REFERRAL_ROLES
from tsunagu.agencies.selectors import staff_context


def staff(request):
    """What the staff layout needs to build its navigation."""
    context = staff_context(getattr(request, "user", None))
    return {
        "staff": context,
        "is_desk": context.is_desk,
        "is_supervisor": context.has_role("supervisor"),
        "works_cases": bool(context.case_agency_ids),
        "works_referrals": context.has_role(*REFERRAL_ROLES),
        "attends_meetings": context.has_role(*MEETING_ROLES),
        # The statistics pages (reports.access): the secretariat, the desk and supervisors.
        "reads_reports": context.has_role("secretariat", "desk", "supervisor"),
        # The Excel imports (imports.access): supervisors (the central desk's: every ledger).
        "imports_ledgers": context.has_role("supervisor"),
    }
