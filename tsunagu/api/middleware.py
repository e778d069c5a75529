"""Every call made with a token is recorded (decision 0037), whatever its answer.

It runs after the view, outside its ``ATOMIC_REQUESTS`` transaction (which a refusal rolls
back), so a refused call is recorded too. The token is known once DRF's authentication has found
it (``request.api_token_id``); a call with no valid token has no token to record and answers 401.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from tsunagu.api.models import ApiCall
from tsunagu.api.services import token_used
from tsunagu.core.middleware import client_ip


def api_call_middleware(get_response: Any) -> Any:
    def middleware(request: Any) -> Any:
        response = get_response(request)
        token_id = getattr(request, "api_token_id", None)
        if token_id is not None:
            now = timezone.now()
            with transaction.atomic():
                ApiCall.objects.create(
                    token_id=token_id,
                    at=now,
                    method=request.method[:10],
                    path=request.path[:300].replace("\x00", "\ufffd"),  # PostgreSQL refuses NUL (%00)
                    status=response.status_code,
                    ip=client_ip(request) or None,
                )
                token_used(token_id=token_id, at=now)
        return response

    return middleware
