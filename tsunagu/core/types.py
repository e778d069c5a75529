"""Types the services share.

``User``: the staff member a service acts for. The project uses Django's own user model (no
``AUTH_USER_MODEL`` in the settings), so this is ``django.contrib.auth.models.User``; services
that also serve the public form (no one signed in) take ``User | None``. Staff views that pass
the user to such a service take an ``AuthenticatedHttpRequest``.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest

__all__ = ["AuthenticatedHttpRequest", "User"]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a staff page: the ``staff`` decorator has let only a signed-in user through
    (the pattern django-stubs documents for views behind a login)."""

    user: User
