from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tsunagu.core import views as core_views

admin.site.site_header = _("つなぐ 管理画面")
admin.site.site_title = _("つなぐ 管理画面")
admin.site.index_title = _("参照データと利用者の管理")

urlpatterns = [
    path("", include("tsunagu.public.urls")),
    path("staff/", include("tsunagu.work.urls")),
    path("healthz", core_views.health_view, name="health"),
    path("staff/login/", core_views.login_view, name="login"),
    path("staff/logout/", core_views.logout_view, name="logout"),
    path("staff/account/", include("tsunagu.work.account_urls")),
    path("staff/second-factor/", include("tsunagu.work.mfa_urls")),
    path("i18n/setlang/", core_views.language_view, name="set_language"),
    path("staff/people/", include("tsunagu.work.disclosure_urls")),
    path("staff/people/", include("tsunagu.people.urls")),
    path("staff/desk/", include("tsunagu.intake.urls")),
    path("staff/cases/", include("tsunagu.cases.urls")),
    path("staff/records/", include("tsunagu.records.urls")),
    path("staff/assessments/", include("tsunagu.assessments.urls")),
    path("staff/plans/", include("tsunagu.plans.urls")),
    path("staff/referrals/", include("tsunagu.referrals.urls")),
    path("staff/meetings/", include("tsunagu.meetings.urls")),
    path("staff/events/", include("tsunagu.places.event_urls")),
    path("staff/training/", include("tsunagu.training.urls")),
    path("staff/supervision/", include("tsunagu.training.supervision_urls")),
    path("staff/places/", include("tsunagu.places.urls")),
    path("staff/reports/", include("tsunagu.reports.urls")),
    path("staff/imports/", include("tsunagu.imports.urls")),
    path("staff/audit/", include("tsunagu.audit.urls")),
    path("staff/audit/security/", include("tsunagu.audit.security_urls")),
    # The agencies' systems (issue 14, decision 0037): token-authenticated, versioned.
    path("api/v1/", include("tsunagu.api.urls")),
    # Before the admin's own: an administrator changes their password on the account page too.
    path("admin/password_change/", core_views.admin_password_change_view, name="admin_password_change"),
    path("admin/", admin.site.urls),
]

# Error pages: Django's own handlers render templates/400.html, 403.html, 404.html, 500.html (and
# 403_csrf.html for a failed CSRF check); the 400, 500 and CSRF pages without a request, so they
# work when the database or a context processor is what failed.
