"""The security log of refused reads (issue 8, #14; docs/decisions/0012).

A refused read answers 404 (or 403 for a list a role may not use) exactly as before, so the user
learns nothing about whether the object exists. Behind that answer, this middleware appends a
``SecurityEvent`` when the URL belongs to a personal-data app.

It runs after the view has returned: ``ATOMIC_REQUESTS`` has already rolled back the view's
transaction (an Http404 is an exception inside it), so the event is written in its own
transaction and survives. The decision is made on the resolved URL name, never on the object,
so a missing and a hidden object leave the same record and the same page.
"""

from typing import Any

from django.db import transaction

from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.middleware import client_ip

# URL namespaces whose pages show or change personal data: every refused request to one of them is
# logged. A test walks the URL resolver and fails for a staff object URL outside this set.
PERSONAL_DATA_NAMESPACES = frozenset(
    {
        "people",
        "intake",
        "cases",
        "records",
        "assessments",
        "plans",
        "referrals",
        "meetings",
        "disclosure",
        "supervision",
        "places",
        # The agencies' systems' API (issue 14, decision 0037): a refused call of a token is
        # logged like a refused page (its account is the request's user once the token is found).
        "api",
        # Statistics hold no person, but a refused look at another agency's figures is worth a
        # line in the security log, and the personal-list exports live here too.
        "reports",
        # Imports of the ward's Excel ledgers (issue 14): files of persons, consultations, cases.
        "imports",
    }
)
REFUSED_STATUSES = frozenset({403, 404})


# The range of ``SecurityEvent.object_id`` (a bigint). A guessed id beyond it is no object at all:
# it is kept as typed in ``arguments`` only, never a server error (the view has answered 404).
ID_RANGE = range(-(2**63), 2**63)


def _object_id(kwargs: dict[str, Any]) -> int | None:
    values = [kwargs["pk"], *kwargs.values()] if "pk" in kwargs else list(kwargs.values())
    for value in values:
        if isinstance(value, int):
            return value if value in ID_RANGE else None
    return None


def security_record(
    *,
    request: Any,
    kind: str,
    status: int | None = None,
    user: Any = None,
    username: str | None = None,
    details: dict[str, str] | None = None,
) -> SecurityEvent:
    """Append one security event for ``request`` (also used by services, e.g. a refused
    emergency access over the daily limit, and by the sign-in trail, which names the ``user``
    or the ``username`` typed when the request has no signed-in user). ``details`` go into
    ``arguments`` beside the URL's (e.g. the user name and address whose lockout was lifted)."""
    user = user if user is not None else getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    kwargs = {k: v for k, v in (match.kwargs if match else {}).items() if isinstance(v, int | str)}
    with transaction.atomic():
        return SecurityEvent.objects.create(
            kind=kind,
            user=user if authenticated else None,
            username=(username if username is not None else user.get_username() if authenticated else "")[:150],
            url_name=(match.view_name if match else "")[:100],
            object_id=_object_id(kwargs),
            arguments={**kwargs, **(details or {})},
            method=request.method[:10],
            status=status,
            ip=client_ip(request),
            path=request.path[:300].replace("\x00", "\ufffd"),  # PostgreSQL refuses NUL (%00 in a path)
        )


def security_log_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code in REFUSED_STATUSES
            and match is not None
            and match.namespace in PERSONAL_DATA_NAMESPACES
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            security_record(request=request, kind=SecurityEventKind.REFUSED, status=response.status_code)
        return response

    return middleware
