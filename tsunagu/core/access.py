"""The declared access rule of every view (docs/quality.md S1).

Every view is wrapped by exactly one of these decorators; the URL-walker test fails for a view
without one. Object-level rules (which case, which person) live in each app's ``access.py``,
which is the one door to its objects.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve, reverse

from tsunagu.agencies.selectors import staff_context

View = Callable[..., HttpResponseBase]


def staff_session_ok(request: HttpRequest) -> bool:
    """Whether the request carries a complete staff login.

    The one place a second factor will be checked (docs/quality.md S6): when MFA comes, this also asks
    whether the session has passed it, and every staff view follows without change.
    """
    user = request.user
    return bool(user.is_authenticated and user.is_active)


CHOOSE_OWN_FLAG = "tsunagu_choose_own"  # session key: the password was chosen by an administrator


def must_change_password(request: HttpRequest) -> bool:
    """An administrator chose this account's password: its owner chooses their own before
    anything else (docs/quality.md S8). Read from the session, set at sign-in."""
    return bool(request.session.get(CHOOSE_OWN_FLAG))


def _to_password_change(request: HttpRequest) -> HttpResponseBase:
    return redirect_to_login(request.get_full_path(), login_url=reverse("account:password_change"))


def password_change_first_middleware(get_response: View) -> View:
    """The same rule for Django's admin site, whose views the decorators below do not wrap: a
    session that must choose its own password reaches no admin page but the sign-out (the
    admin's own password page included, which would neither lift the flag nor be recorded)."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        if must_change_password(request):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.app_name == "admin" and match.url_name != "logout":
                return _to_password_change(request)
        return get_response(request)

    return middleware


def public(view: View) -> View:
    """Open to anybody, including the public. Must show no personal data."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def login_only(view: View) -> View:
    """Any signed-in user, memberships or not (login, logout, home)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not staff_session_ok(request):
            return redirect_to_login(request.get_full_path())
        if must_change_password(request) and not getattr(view, "allowed_before_password_change", False):
            return _to_password_change(request)
        return view(request, *args, **kwargs)

    wrapped.access_rule = "login"  # type: ignore[attr-defined]
    return wrapped


def staff(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Signed-in staff with an active membership, in one of ``roles`` when given.

    A list page the role may not use answers 403 (the page is no secret). An object page the role
    may not use answers 404, like every object a user may not see: whether the object exists is
    not revealed to anybody outside it.
    """
    allowed = tuple(roles or ())

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not staff_session_ok(request):
                return redirect_to_login(request.get_full_path())
            if must_change_password(request):
                return _to_password_change(request)
            context = staff_context(request.user)
            if not context.memberships:
                raise PermissionDenied
            if allowed and not context.has_role(*allowed):
                if kwargs:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = ("staff", allowed)  # type: ignore[attr-defined]
        return wrapped

    return decorator
