from django.contrib.auth import views as auth_views
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.core.access import login_only, public
from tsunagu.intake.models import Consultation


@login_only
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what each role needs first. Aggregates only, no personal data."""
    context = staff_context(request.user)
    month_start = timezone.localdate().replace(day=1)
    counts = Consultation.objects.aggregate(
        untriaged=Count("pk", filter=Q(triaged_at__isnull=True)),
        urgent=Count("pk", filter=Q(triaged_at__isnull=True, urgent=True)),
        this_month=Count("pk", filter=Q(received_at__date__gte=month_start)),
    )
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).count()
    return render(
        request,
        "core/home.html",
        {"counts": counts, "open_cases": open_cases, "has_membership": bool(context.memberships)},
    )


login_view = public(auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True))
logout_view = login_only(require_POST(auth_views.LogoutView.as_view()))
language_view = public(set_language)
