from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.review import may_review
from tsunagu.audit.security_views import may_read_security_log


def audit(request):
    """The audit app's part of the staff navigation: whether the security log link shows. (The
    audit app contributes it itself, so that core does not import the app above it.)"""
    user = getattr(request, "user", None)
    if not staff_context(user).has_role("supervisor", "secretariat", "auditor"):
        return {"reads_security_log": False, "reviews_access": False}
    return {"reads_security_log": may_read_security_log(user), "reviews_access": may_review(user)}
