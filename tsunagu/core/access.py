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


def password_stage_ok(request: HttpRequest) -> bool:
    """Whether the request's session has passed the password (the first factor) of an active
    account. Such a session reaches only the second-factor step and sign-out."""
    user = request.user
    return bool(user.is_authenticated and user.is_active)


def second_factor_ok(request: HttpRequest) -> bool:
    """Whether this session has passed its second factor (docs/quality.md S6). Set by django-otp's
    middleware from the session; a request without it (no middleware) is not verified."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def staff_session_ok(request: HttpRequest) -> bool:
    """Whether the request carries a complete staff login: password and second factor."""
    return password_stage_ok(request) and second_factor_ok(request)


CHOOSE_OWN_FLAG = "tsunagu_choose_own"  # session key: the password was chosen by an administrator


def must_change_password(request: HttpRequest) -> bool:
    """An administrator chose this account's password: its owner chooses their own before
    anything else (docs/quality.md S8). Read from the session, set at sign-in."""
    return bool(request.session.get(CHOOSE_OWN_FLAG))


def _to_password_change(request: HttpRequest) -> HttpResponseBase:
    return redirect_to_login(request.get_full_path(), login_url=reverse("account:password_change"))


def _to_second_factor(request: HttpRequest) -> HttpResponseBase:
    return redirect_to_login(request.get_full_path(), login_url=reverse("mfa:verify"))


def _refused(request: HttpRequest, view: View) -> HttpResponseBase | None:
    """The sign-in steps every staff view checks, in order: the password, the second factor,
    then a password an administrator chose. None when the request may go on."""
    if not password_stage_ok(request):
        return redirect_to_login(request.get_full_path())
    if not second_factor_ok(request):
        return _to_second_factor(request)
    if must_change_password(request) and not getattr(view, "allowed_before_password_change", False):
        return _to_password_change(request)
    return None


def staff_gate_middleware(get_response: View) -> View:
    """The same steps for Django's admin site, whose views the decorators below do not wrap: a
    session without its second factor, or one that must choose its own password, reaches no admin
    page but the sign-out (the admin's own password page included, which would neither lift the
    flag nor be recorded). Its own sign-in form stays, for a session not yet signed in."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        if password_stage_ok(request):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.app_name == "admin" and match.url_name != "logout":
                if not second_factor_ok(request):
                    return _to_second_factor(request)
                if must_change_password(request):
                    return _to_password_change(request)
        return get_response(request)

    return middleware


def public(view: View) -> View:
    """Open to anybody, including the public. Must show no personal data."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def signing_in(view: View) -> View:
    """A step of signing in: the password has been given, the second factor perhaps not yet (the
    second-factor and enrolment pages, the security-key ceremony, sign-out). Shows nothing but the
    signed-in person's own factors."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not password_stage_ok(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.access_rule = "signing_in"  # type: ignore[attr-defined]
    return wrapped


def login_only(view: View) -> View:
    """Any signed-in user (password and second factor), memberships or not (home, own account)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = _refused(request, view)
        if refused is not None:
            return refused
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
            refused = _refused(request, view)
            if refused is not None:
                return refused
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
