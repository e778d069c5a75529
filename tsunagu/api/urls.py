"""/api/v1/: the agencies' systems' API (decision 0037, docs/api.md).

Every endpoint is a token-authenticated DRF view, marked ``access_rule = "api_token"`` for the URL
walkers (core/tests/test_url_rules.py), which check that each one refuses a call without a valid
token (401). The schema and its browsable documentation are for signed-in staff inside the
network (``login_only``), served with the Swagger UI files from the drf-spectacular-sidecar
package (no outside assets) and no inline script, under the site's CSP.
"""

from typing import Any

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tsunagu.api import views
from tsunagu.core.access import login_only

app_name = "api"


def token_only(view: Any) -> Any:
    """The rule of an API view: a valid token with the method's scope (``tsunagu.api.drf``)."""
    view.access_rule = "api_token"
    return view


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = "Tsunagu API v1"


urlpatterns = [
    path("consultations/", token_only(views.ConsultationCreateView.as_view()), name="consultations"),
    path("persons/", token_only(views.PersonSearchView.as_view()), name="persons"),
    path("cases/<int:pk>/", token_only(views.CaseSummaryView.as_view()), name="case"),
    path("cases/<int:pk>/details/", token_only(views.CaseDetailsView.as_view()), name="case_details"),
    path("cases/<int:pk>/records/", token_only(views.RecordCreateView.as_view()), name="case_records"),
    path("cases/<int:pk>/referrals/", token_only(views.ReferralSendView.as_view()), name="case_referrals"),
    path("referrals/", token_only(views.ReferralListView.as_view()), name="referrals"),
    path("referrals/<int:pk>/", token_only(views.ReferralDetailView.as_view()), name="referral"),
    path("referrals/<int:pk>/answer/", token_only(views.ReferralAnswerView.as_view()), name="referral_answer"),
    path("places/", token_only(views.PlaceListView.as_view()), name="places"),
    path("places/<int:pk>/", token_only(views.PlaceDetailView.as_view()), name="place"),
    path("events/", token_only(views.EventListView.as_view()), name="events"),
    path("schema/", login_only(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_only(DocsView.as_view()), name="docs"),
    # Last: any other path answers the API's JSON 404 (a generated or mistyped id included).
    # (No captured part: a path with %00 would put a NUL into the security log's arguments.)
    re_path(r"^.*$", token_only(views.NotFoundView.as_view()), name="not_found"),
]
