from tsunagu.agencies.models import MEETING_ROLES, REFERRAL_ROLES
from tsunagu.agencies.selectors import staff_context


def staff(request):
    """What the staff layout needs to build its navigation."""
    context = staff_context(getattr(request, "user", None))
    return {
        "staff": context,
        "is_desk": context.is_desk,
        "works_cases": bool(context.case_agency_ids),
        "works_referrals": context.has_role(*REFERRAL_ROLES),
        "reads_security_log": context.has_role("supervisor", "secretariat") and _reads_security_log(request),
        "attends_meetings": context.has_role(*MEETING_ROLES),
    }


def _reads_security_log(request) -> bool:
    from tsunagu.audit.security_views import may_read_security_log

    return may_read_security_log(request.user)
