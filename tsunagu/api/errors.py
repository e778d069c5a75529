"""One shape for every refusal of the API (decision 0037): ``{"detail": …}``, and for bad input
(400) also ``"errors": {field: [messages]}``; a stale version (``core.services.ConflictError``)
answers 409.

The messages are the project's own, in Japanese through gettext like every screen: the forms' and
services' messages as they are (a Django ValidationError), and DRF's own refusals (a value of the
wrong type, a missing token, a wrong method) by their error code. DRF's translation catalogue is
not used: ``rest_framework`` is not an installed app, so that its catalogue, which would take
precedence over Django's own, does not change the messages of the screens' forms."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tsunagu.core.services import ConflictError

# DRF's field error codes (serializers' type checks), in the project's words.
FIELD_MESSAGES = {
    "required": gettext_lazy("このフィールドは必須です。"),
    "null": gettext_lazy("この項目は空にできません。"),
    "blank": gettext_lazy("この項目は空にできません。"),
    "empty": gettext_lazy("ひとつ以上指定してください。"),
    "invalid": gettext_lazy("値の形が正しくありません。"),
    "invalid_choice": gettext_lazy("選べる値ではありません。"),
    "not_a_list": gettext_lazy("リスト（配列）で指定してください。"),
    "not_a_dict": gettext_lazy("オブジェクトで指定してください。"),
    "max_length": gettext_lazy("長すぎます。"),
    "min_length": gettext_lazy("短すぎます。"),
    "max_value": gettext_lazy("大きすぎます。"),
    "min_value": gettext_lazy("小さすぎます。"),
    "max_string_length": gettext_lazy("大きすぎます。"),
    "date": gettext_lazy("日付で指定してください（例：2026-11-20）。"),
    "datetime": gettext_lazy("日時で指定してください（例：2026-11-20T10:00:00+09:00）。"),
    "make_aware": gettext_lazy("日時で指定してください（例：2026-11-20T10:00:00+09:00）。"),
    "overflow": gettext_lazy("日時で指定してください（例：2026-11-20T10:00:00+09:00）。"),
    "null_characters_not_allowed": gettext_lazy("使えない文字が含まれています。"),
    "surrogate_characters_not_allowed": gettext_lazy("使えない文字が含まれています。"),
}


class BodyTooBig(exceptions.APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's RequestDataTooBig, which DRF does not
    handle: it answered the screens' HTML page)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


# DRF's refusals of the whole call.
CALL_MESSAGES: dict[type[Exception], Any] = {
    exceptions.NotAuthenticated: gettext_lazy("トークンがありません（Authorization: Bearer …）。"),
    exceptions.MethodNotAllowed: gettext_lazy("このメソッドは使えません。"),
    exceptions.ParseError: gettext_lazy("本文を JSON として読めません。"),
    exceptions.UnsupportedMediaType: gettext_lazy("本文は application/json で送ってください。"),
    exceptions.NotAcceptable: gettext_lazy("応答は application/json だけです。"),
    BodyTooBig: gettext_lazy("本文が大きすぎます。"),
    exceptions.Throttled: gettext_lazy("呼び出しが多すぎます。しばらく待ってからもう一度呼び出してください。"),
}


class FormErrors(exceptions.ValidationError):
    """Bad input found by a form or a service: its messages are final (already the project's)."""


def _messages(value: Any) -> list[str]:
    """Every message of a (possibly nested) DRF error detail, flat, in the project's words."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    code = str(getattr(value, "code", ""))
    return [str(FIELD_MESSAGES.get(code, value))]


def field_errors(detail: Any, *, final: bool = False) -> dict[str, list[str]]:
    flat = (lambda value: [str(m) for m in value]) if final else _messages
    if isinstance(detail, dict):
        return {str(name): flat(value) for name, value in detail.items()}
    return {"non_field_errors": flat(detail)}


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One body for every refusal: ``detail`` always, ``errors`` (by field) for bad input."""
    if isinstance(exc, DjangoValidationError):
        exc = FormErrors(_django_errors(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooBig()
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
        errors = field_errors(exc.detail, final=isinstance(exc, FormErrors))
        response.data = {"detail": _("入力に誤りがあります。"), "errors": errors}
    elif type(exc) in CALL_MESSAGES:
        response.data = {"detail": str(CALL_MESSAGES[type(exc)])}
    elif isinstance(exc, exceptions.PermissionDenied) and exc.detail == exceptions.PermissionDenied.default_detail:
        response.data = {"detail": _("この操作は許可されていません。")}
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else _("エラー")}
    return response
