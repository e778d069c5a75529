"""Framework plumbing: language, request context for the audit trail, no-store on staff pages."""

import contextvars
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation


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


def request_context_middleware(get_response):
    def middleware(request):
        # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a configured proxy.
        info = RequestInfo(
            ip=request.META.get("REMOTE_ADDR", "")[:45],
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
