from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.audit.selectors import access_events_for_case
from tsunagu.cases import selectors
from tsunagu.cases.access import Level, case_get_for_user
from tsunagu.core.access import staff

CASE_ROLES = ("desk", "caseworker", "supervisor")


@staff(CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    include_closed = request.GET.get("closed") == "1"
    rows = selectors.case_list(user=request.user, include_closed=include_closed)
    return render(request, "cases/list.html", {"rows": rows, "include_closed": include_closed})


@staff(CASE_ROLES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case, level = case_get_for_user(request.user, pk)
    team = case.team.select_related("agency").order_by("role", "since")
    context = {"case": case, "team": team, "full": level == Level.FULL}
    if level == Level.FULL:
        context["members"] = case.household.members.order_by("pk")
        context["consultations"] = case.consultations.order_by("-received_at")
        context["viewers"] = access_events_for_case(case_id=case.pk)
    return render(request, "cases/detail.html", context)
