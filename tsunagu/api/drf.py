"""The API's doors before the view (decision 0037): the token, its scope, its rate, and one shape
for every error.

- :class:`TokenAuthentication`: ``Authorization: Bearer tsg_…``; a malformed, unknown, expired or
  revoked token, or one whose account or membership is switched off, answers 401 alike.
- :class:`ScopePermission`: the view names the scope each method needs (``scopes``); deny by
  default (a method it does not name is refused). A missing scope answers 403.
- :class:`TokenRateThrottle`: ``API_TOKEN_RATE`` calls per token, counted in the shared cache
  (Redis in production, decision 0011), 429 beyond.

The one shape of every error is ``errors.exception_handler``.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tsunagu.api.models import ApiToken
from tsunagu.api.services import token_named, token_valid


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode() or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("トークンが正しくありません。"))
        try:
            text = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("トークンが正しくありません。")) from None
        token = token_named(text)
        if token is not None:
            # For the call log (tsunagu.api.middleware), which runs outside DRF's request: a call
            # with a known token is recorded against it, refused (revoked, expired) or not.
            request._request.api_token_id = token.pk  # type: ignore[attr-defined]
        if token is None or not token_valid(token, text):
            raise exceptions.AuthenticationFailed(_("トークンが正しくないか、有効期限が切れているか、失効しています。"))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="tsunagu"'


class ScopePermission(BasePermission):
    """The token carries the scope the view names for this method (``view.scopes``)."""

    message = _("このトークンには、この操作の権限の範囲がありません。")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        method = (request.method or "").lower()
        if method not in view.http_method_names or not hasattr(view, method):
            return True  # a method the view does not have: DRF answers 405 after this
        needed = getattr(view, "scopes", {}).get("GET" if request.method == "HEAD" else request.method)
        return needed is not None and needed in token.scopes


class JsonBodyParser(JSONParser):
    """DRF's JSON parser, with deep nesting refused like any unreadable body (400): ``json.load``
    raises RecursionError, not ValueError, on ``[[[[…``, which DRF let through as a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError() from None


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return f"api-throttle-{token.pk}"


class TokenOnly(ScopePermission):
    """Any valid token (the API's own "not found", which names no resource)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken)
