"""The top floor: pages that gather from several apps. Each app contributes its part through its
own selectors; these views only compose them (decision 0013)."""

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases import services as case_services
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.core.access import login_only, staff
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.intake.models import Consultation
from tsunagu.meetings.access import meetings_visible_to
from tsunagu.meetings.selectors import actions_for
from tsunagu.referrals.selectors import referral_work
from tsunagu.work.worklist import worklist_for


@login_only
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what each role needs first. Aggregates only, no personal data."""
    context = staff_context(request.user)
    # Four index-backed counts, not one aggregate over every consultation (decision 0016-h3):
    # the untriaged ones are a short range of ``consultation_queue``, this month's a range of
    # ``consultation_received`` (an aware bound, not ``__date``, which no index serves), and the
    # open cases the partial index ``case_open_id``.
    month_start = timezone.make_aware(dt.datetime.combine(timezone.localdate().replace(day=1), dt.time()))
    untriaged = Consultation.objects.filter(triaged_at__isnull=True)
    counts = {
        "untriaged": untriaged.count(),
        "urgent": untriaged.filter(urgent=True).count(),
        "this_month": Consultation.objects.filter(received_at__gte=month_start).count(),
    }
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).count()
    return render(
        request,
        "work/home.html",
        {"counts": counts, "open_cases": open_cases, "has_membership": bool(context.memberships)},
    )


@staff(CASE_ROLES)
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    """わたしの仕事: the user's own cases; supervisors may switch to every case of their agency."""
    is_supervisor = staff_context(request.user).has_role("supervisor")
    scope = "agency" if request.GET.get("scope") == "agency" and is_supervisor else "mine"
    show = request.GET.get("show", "")
    work = worklist_for(user=request.user, scope=scope, today=timezone.localdate(), show=show)
    actions = actions_for(request.user)
    context = {
        "work": work,
        "scope": scope,
        "is_supervisor": is_supervisor,
        "today": timezone.localdate(),
        "emergencies": case_services.emergency_reviewable_by(request.user) if is_supervisor else [],
        "emergency_repeated": case_services.emergency_repeated(request.user) if is_supervisor else [],
        "emergency_per_day": settings.EMERGENCY_ACCESS_PER_DAY,
        "referrals": referral_work(user=request.user, today=timezone.localdate()),
        "actions": actions,
        # An action stays with its owner after their agency stops attending its meeting; the
        # meeting is then named as text, not linked to a page that answers 404.
        "meetings_openable": set(
            meetings_visible_to(request.user)
            .filter(pk__in={d.meeting_id for d in actions})
            .values_list("pk", flat=True)
        ),
        "my_agencies": staff_context(request.user).agency_ids(),
    }
    return render(request, "work/my_work.html", context)
