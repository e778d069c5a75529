import datetime as dt
import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.lib import wareki
from tsunagu.lib.text import hidden_characters

register = template.Library()


@register.filter
def wareki_date(value):
    """令和7年4月1日."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return wareki.format_wareki(value)


@register.filter
def wareki_datetime(value):
    """令和7年4月1日 14:05."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{wareki.format_wareki(local.date())} {local:%H:%M}"


@register.filter
def waited(value):
    """How long since ``value``, as the desk reads it: 25分, 3時間10分, 4日."""
    if not value:
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)s分") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)s時間%(m)s分") % {"h": hours, "m": minutes}
    return _("%(d)s日") % {"d": hours // 24}


@register.filter
def waited_hours(value):
    if not value:
        return 0
    return int((timezone.now() - value).total_seconds() // 3600)


@register.filter
def hidden_shown(value):
    """Text nobody checked (a name typed on the login page) with its invisible, control and
    direction-changing characters written as 「[U+202E]」, so that it cannot pass for another."""
    text = str(value or "")
    for char in hidden_characters(text, kind="name"):
        text = text.replace(char, f"[U+{ord(char):04X}]")
    return text


@register.filter
def staff_name(user):
    """A staff member's name as Japanese colleagues write it: family name first."""
    return person_name_of(user)


def person_name_of(user) -> str:
    if user is None:
        return "—"
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()


# A pk no row has: reversed once per URL name, then cut around to make the URL of any pk.
_SENTINEL = "2147483647"


@functools.lru_cache(maxsize=256)
def _pk_url_parts(name: str, prefix: str, urlconf: str | None) -> tuple[str, str] | None:
    url = reverse(name, urlconf=urlconf, args=[int(_SENTINEL)])
    if url.count(_SENTINEL) != 1:
        return None
    before, after = url.split(_SENTINEL)
    return before, after


@register.filter
def pk_url(pk, name):
    """``{{ row.pk|pk_url:"app:detail" }}`` is ``{% url "app:detail" row.pk %}`` for a URL whose one
    argument is an integer pk, with one ``reverse`` per URL name instead of one per row: reversing
    a URL costs about as much as rendering a whole row of a list (issue 10)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _pk_url_parts(name, get_script_prefix(), urlconf)
    if parts is None or not isinstance(pk, int):
        return reverse(name, urlconf=urlconf, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"
