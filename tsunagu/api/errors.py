"""One shape for every refusal of the API (decision 0037): ``{"detail": …}``, and for bad input
(400) also ``"errors": {field: [messages]}``, the services' field errors (a Django
ValidationError) included; a stale version (``core.services.ConflictError``) answers 409."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tsunagu.core.services import ConflictError


def _messages(value: Any) -> list[str]:
    """Every message of a (possibly nested) DRF error detail, flat."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One body for every refusal: ``detail`` always, ``errors`` (by field) for bad input."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    if isinstance(exc, ConflictError):
        response = Response(
            {"detail": _("ほかの職員が先にこの記録を更新しました。内容を確かめてからもう一度操作してください。")},
            status=status.HTTP_409_CONFLICT,
        )
        set_rollback()
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("見つかりません。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("入力に誤りがあります。"), "errors": field_errors(exc.detail)}
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else _("エラー")}
    return response
