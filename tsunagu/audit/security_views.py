"""The security log page: refused reads of personal data (docs/decisions/0012)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.agencies.models import Membership, Role
from tsunagu.agencies.selectors import central_desk, staff_context
from tsunagu.audit.models import Action, SecurityEvent
from tsunagu.audit.services import access_record
from tsunagu.core.access import staff

PAGE = 50


def may_read_security_log(user: Any) -> bool:
    """The audit reviewers: the secretariat (事務局, which runs the network's audit) and the
    supervisors of the central desk (who also review emergency access)."""
    context = staff_context(user)
    if context.has_role(Role.SECRETARIAT):
        return True
    desk = central_desk()
    return desk is not None and desk.pk in context.agency_ids(Role.SUPERVISOR)


@staff((Role.SUPERVISOR, Role.SECRETARIAT))
def security_log(request: HttpRequest) -> HttpResponse:
    if not may_read_security_log(request.user):
        raise PermissionDenied
    events = SecurityEvent.objects.order_by("-at", "-id")
    username = request.GET.get("user", "").strip()[:150]
    if username:
        events = events.filter(username=username)
    events = events.select_related("user").prefetch_related(
        Prefetch(
            "user__memberships",
            queryset=Membership.objects.filter(active=True).select_related("agency"),
            to_attr="active_memberships",
        )
    )
    page = Paginator(events, PAGE).get_page(request.GET.get("page"))
    access_record(
        user=request.user,
        action=Action.LIST,
        object_type="security_log",
        object_ids=[e.pk for e in page.object_list],
        reason=f"security log user={username}" if username else "security log",
    )
    return render(request, "audit/security_log.html", {"page": page, "username": username})
