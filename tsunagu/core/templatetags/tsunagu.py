import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.lib import wareki

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
def staff_name(user):
    """A staff member's name as Japanese colleagues write it: family name first."""
    return person_name_of(user)


def person_name_of(user) -> str:
    if user is None:
        return "—"
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()
