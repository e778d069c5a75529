from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tsunagu.agencies.models import Role
from tsunagu.audit.access import is_desk_supervisor
from tsunagu.audit.selectors import role_changes_recent
from tsunagu.core.access import staff
from tsunagu.core.types import AuthenticatedHttpRequest


@staff([Role.SUPERVISOR])
def role_changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """役割・所属の変更記録: who gave whom which role, for the central desk's supervisors."""
    if not is_desk_supervisor(request.user):
        raise PermissionDenied
    page = Paginator(role_changes_recent(), 50).get_page(request.GET.get("page"))
    return render(request, "audit/role_changes.html", {"page": page, "changes": page.object_list})
