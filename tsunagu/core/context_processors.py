from tsunagu.agencies.selectors import staff_context


def staff(request):
    """What the staff layout needs to build its navigation."""
    context = staff_context(getattr(request, "user", None))
    return {
        "staff": context,
        "is_desk": context.is_desk,
        "works_cases": bool(context.case_agency_ids),
        "works_referrals": context.has_role("desk", "caseworker", "supervisor", "partner"),
        "attends_meetings": context.has_role("desk", "caseworker", "supervisor", "secretariat"),
    }
