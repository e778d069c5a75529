"""Staff sessions a person can see and end (docs/quality.md S8, decision 0027).

``StaffSession`` rows follow Django's own sessions: one is written when somebody signs in and
removed when they sign out, end a session from the list, or their account is disabled. What a
session *is* stays in Django's session table; a row whose session has gone (expired, ended) is
not listed and is removed when the list is read.

The flag "must choose a new password" (``agencies.PasswordChangeRequired``) is copied into the
session at sign-in, so that the access decorators read the session, not the database, on every
request."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.utils import timezone

from tsunagu.agencies.models import PasswordChangeRequired
from tsunagu.core.access import CHOOSE_OWN_FLAG
from tsunagu.core.middleware import client_ip
from tsunagu.core.models import StaffSession


def _store(session_key: str) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def session_started(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: remember the session, and whether a new password must be chosen."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    StaffSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:300],
        },
    )
    if PasswordChangeRequired.objects.filter(user=user).exists():
        session[CHOOSE_OWN_FLAG] = True


def session_ended(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_out``: the row of this session goes with it."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        StaffSession.objects.filter(session_key=session.session_key).delete()


def sessions_of(user: Any) -> list[StaffSession]:
    """The user's live sessions, newest first; rows whose session has gone are removed."""
    rows = list(StaffSession.objects.filter(user=user).order_by("-signed_in_at", "-pk"))
    live = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    gone = [r.pk for r in rows if r.session_key not in live]
    if gone:
        StaffSession.objects.filter(pk__in=gone).delete()
    return [r for r in rows if r.session_key in live]


def session_end(row: StaffSession) -> None:
    """End one session: Django's session and its row."""
    _store(row.session_key).delete()
    row.delete()


def sessions_end_all(user: Any, *, keep: str | None = None) -> int:
    """End every session of ``user`` (but ``keep``, the caller's own). Returns how many."""
    rows = list(StaffSession.objects.filter(user=user).exclude(session_key=keep or ""))
    for row in rows:
        session_end(row)
    return len(rows)


def account_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of a user: a disabled account's sessions end at once (they could not reach
    anything anyway; now they are gone from the list and the session table too)."""
    if not created and not instance.is_active:
        sessions_end_all(instance)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_in, user_logged_out

    user_logged_in.connect(session_started, dispatch_uid="tsunagu.core.session_started")
    user_logged_out.connect(session_ended, dispatch_uid="tsunagu.core.session_ended")
    post_save.connect(account_saved, sender=get_user_model(), dispatch_uid="tsunagu.core.account_saved")
