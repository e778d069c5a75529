from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import RedirectView
from django.views.i18n import set_language

from tsunagu.core.access import login_only, public, signing_in


class LoginView(auth_views.LoginView):
    """The password, the first step: then the second factor (work/mfa.py), with the page first
    asked for carried along."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        target = self.get_redirect_url() or reverse(settings.LOGIN_REDIRECT_URL)
        return f"{reverse('mfa:verify')}?{urlencode({'next': target})}"


login_view = public(LoginView.as_view())
language_view = public(set_language)


def _allow_before_password_change(view: Any) -> Any:
    view.allowed_before_password_change = True
    return view


def signin_locked(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The page of a sign-in refused during a lockout (django-axes' AXES_LOCKOUT_CALLABLE): 429,
    in the user's language, with the cool-off in minutes; it does not repeat the name typed."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/locked_out.html", {"minutes": minutes}, status=429)


logout_view = signing_in(_allow_before_password_change(require_POST(auth_views.LogoutView.as_view())))

# The admin's own 「パスワードの変更」 is the account page (decision 0027): there the change is
# recorded, this session's row follows its new key and the other sessions end.
admin_password_change_view = login_only(RedirectView.as_view(pattern_name="account:password_change"))


@public
@never_cache
@require_GET
@transaction.non_atomic_requests  # a database that is down is reported, not a 500 before the view
def health_view(request: HttpRequest) -> HttpResponse:
    """For the proxy's and the monitoring's checks (decision 0032): 200 "ok" when the database
    answers and the shared cache holds a value, else 503 naming which one failed. It reads no
    session, writes no access event and shows no data."""
    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        failed.append("database")
    try:
        cache.set("tsunagu:health", 1, 10)
        if cache.get("tsunagu:health") != 1:
            failed.append("cache")
    except Exception:  # any backend's error: the cache is not usable
        failed.append("cache")
    if failed:
        return HttpResponse("unavailable: " + ", ".join(failed), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
