"""Framework plumbing: language, request context for the audit trail, session timeouts,
no-store on staff pages."""

import contextvars
import functools
import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RequestInfo:
    ip: str
    path: str
    method: str


current_request: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("tsunagu_request", default=None)


def language_middleware(get_response):
    """Japanese unless the user chose English (cookie); the browser's language is not used,
    so a PC set to English still shows staff the Japanese they are trained on."""

    def middleware(request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response

    return middleware


@functools.lru_cache(maxsize=8)
def _trusted(networks: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _address(text: str) -> Any:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address as every record keeps it (decision 0032).

    REMOTE_ADDR, unless it is one of the reverse proxies named in ``TRUSTED_PROXIES``: then the
    X-Forwarded-For header that those proxies append to is read from the right, skipping trusted
    proxies, and the first address that is not one is the client. A client cannot choose its
    address by sending the header itself: whatever it wrote stands left of what our proxy
    appended. Without ``TRUSTED_PROXIES`` the header is never read (a proxy may instead pass
    the address with the PROXY protocol, gunicorn ``--proxy-protocol``)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:45]
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    peer = _address(remote)
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote
    for hop in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
        address = _address(hop)
        if address is None:
            return remote  # a malformed chain: keep what we know, the proxy
        if not any(address in net for net in trusted):
            return str(address)[:45]
    return remote


def client_ip_or_none(request: HttpRequest) -> str | None:
    """:func:`client_ip` for django-axes, which stores an unknown address as null."""
    return client_ip(request) or None


# The longest user name an account can have (Django's user model); axes' attempts table holds 255.
USERNAME_MAX_LENGTH = 150


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name for django-axes (``AXES_USERNAME_CALLABLE``): as the form cleaned it, cut to
    the longest an account can have. The login form does not limit its length on the server, and
    a name longer than axes' column was a server error on PostgreSQL, the failure neither counted
    nor recorded."""
    data = credentials if credentials else getattr(request, "data", request.POST)
    name = data.get("username")
    return None if name is None else str(name)[:USERNAME_MAX_LENGTH]


def request_context_middleware(get_response):
    def middleware(request):
        info = RequestInfo(
            ip=client_ip(request),
            path=request.path[:300],
            method=request.method,
        )
        token = current_request.set(info)
        try:
            return get_response(request)
        finally:
            current_request.reset(token)

    return middleware


def no_store_middleware(get_response):
    """Pages shown to signed-in staff carry personal data: no browser or proxy may keep them."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    return middleware


# A background refresh (htmx polling) marks its requests with this header (hx-headers on the
# polling element). Such a request does not count as the person's activity. Sending it can only
# shorten one's own session, so a forged header gains nothing.
POLL_HEADER = "X-Tsunagu-Poll"
SESSION_STARTED = "tsunagu_started_at"
SESSION_ACTIVE = "tsunagu_active_at"


def is_poll(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and request.headers.get(POLL_HEADER) == "1"


def _to_login(request: HttpRequest) -> HttpResponse:
    """The login page; an htmx request is told to load it as a whole page (HX-Redirect) rather
    than swapping it into the part of the page it refreshes."""
    if request.headers.get("HX-Request"):
        # Back to the page the person was on after signing in again (its path only: the login
        # view checks "next" as well).
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = urlunsplit(("", "", current.path, current.query, "")) if current.path.startswith("/") else ""
        response = HttpResponse(status=200)
        response["HX-Redirect"] = redirect_to_login(back)["Location"] if back else resolve_url(settings.LOGIN_URL)
        return response
    return redirect_to_login(request.get_full_path() if request.method == "GET" else resolve_url("work:home"))


def session_timeout_middleware(get_response):
    """Idle and absolute timeouts of staff sessions (docs/decisions/0011-…).

    The session keeps when it started and when the person last did something. A request marked
    as a background poll does not move the activity time, so a page that refreshes itself does
    not keep an unattended session alive. Idle longer than SESSION_IDLE_SECONDS, or signed in
    longer than SESSION_ABSOLUTE_SECONDS: logged out with a message on the login page. The
    activity time is rewritten only once it is SESSION_ACTIVITY_GRANULARITY_SECONDS old, so a
    burst of clicks saves the session once (issue 10).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED)
            active = request.session.get(SESSION_ACTIVE)
            reason = ""
            if started is not None and now - started > settings.SESSION_ABSOLUTE_SECONDS:
                hours = max(1, round(settings.SESSION_ABSOLUTE_SECONDS / 3600))
                reason = _(
                    "ログインしてから%(hours)s時間が経ったため、ログアウトしました。もう一度ログインしてください。"
                ) % {"hours": hours}
            elif active is not None and now - active > settings.SESSION_IDLE_SECONDS:
                reason = _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
            if reason:
                logout(request)
                messages.warning(request, reason)
                return _to_login(request)
            if started is None:
                request.session[SESSION_STARTED] = now
            if active is None or (
                not is_poll(request) and now - active >= settings.SESSION_ACTIVITY_GRANULARITY_SECONDS
            ):
                # Written only when it has moved by the granularity: the session (a database row)
                # is not rewritten on every click. The stored time may lag the last click by less
                # than the granularity, so the idle timeout can end a session up to that much
                # early, never late.
                request.session[SESSION_ACTIVE] = now
        response = get_response(request)
        if (
            request.headers.get("HX-Request")
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            # A view sent an htmx request without a login to the login page (session gone).
            return _to_login(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_STARTED not in request.session:
            # Just signed in (the login view itself).
            now = int(time.time())
            request.session[SESSION_STARTED] = now
            request.session[SESSION_ACTIVE] = now
        return response

    return middleware
