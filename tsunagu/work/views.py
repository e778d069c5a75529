"""The top floor: pages that gather from several apps. Each app contributes its part through its
own selectors; these views only compose them (decision 0013)."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
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
from tsunagu.training.access import follow_ups_open_for
from tsunagu.work.worklist import worklist_for

# How long the home page's two statistics may lag behind the data (decision 0021).
HOME_STATS_SECONDS = 300


def home_statistics() -> dict[str, int]:
    """This month's consultations and the open cases, for every staff member's home page: figures
    for orientation, not for work, so they come from the cache for up to ``HOME_STATS_SECONDS``
    (at a million persons they count 16,000 and 117,000 rows: 70 and 250 ms). The key names the
    month, so the first request of a new month counts afresh."""
    month_start = timezone.make_aware(dt.datetime.combine(timezone.localdate().replace(day=1), dt.time()))

    def count() -> dict[str, int]:
        return {
            # An aware bound, not ``__date`` (which no index serves): a range of ``consultation_received``.
            "this_month": Consultation.objects.filter(received_at__gte=month_start).count(),
            "open_cases": Case.objects.exclude(status=CaseStatus.CLOSED).count(),
        }

    statistics = cache.get_or_set(f"work:home-stats:{month_start:%Y-%m}", count, HOME_STATS_SECONDS)
    return statistics if statistics is not None else count()


@login_only
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what each role needs first. Aggregates only, no personal data."""
    context = staff_context(request.user)
    # The desk's queue is work: its two counts are exact, in one query over the partial index
    # ``consultation_untriaged`` (a short range however large the history), and only for the desk
    # that shows them. The other two are statistics, cached (decision 0021).
    counts = {"untriaged": 0, "urgent": 0}
    if context.is_desk:
        counts = Consultation.objects.filter(triaged_at__isnull=True).aggregate(
            untriaged=Count("pk"), urgent=Count("pk", filter=Q(urgent=True))
        )
    statistics = home_statistics()
    counts["this_month"] = statistics["this_month"]
    return render(
        request,
        "work/home.html",
        {"counts": counts, "open_cases": statistics["open_cases"], "has_membership": bool(context.memberships)},
    )


@staff(CASE_ROLES)
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    """わたしの仕事: the user's own cases; supervisors may switch to every case of their agency."""
    is_supervisor = staff_context(request.user).has_role("supervisor")
    scope = "agency" if request.GET.get("scope") == "agency" and is_supervisor else "mine"
    show = request.GET.get("show", "")
    work = worklist_for(user=request.user, scope=scope, today=timezone.localdate(), show=show)
    actions = actions_for(request.user)
    follow_ups, follow_ups_more = follow_ups_open_for(request.user)
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
        "follow_ups": follow_ups,
        "follow_ups_more": follow_ups_more,
    }
    return render(request, "work/my_work.html", context)
