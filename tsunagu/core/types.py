"""Types the services share.

``User``: the staff member a service acts for. The project uses Django's own user model (no
``AUTH_USER_MODEL`` in the settings), so this is ``django.contrib.auth.models.User``; services
that also serve the public form (no one signed in) take ``User | None``.
"""

from django.contrib.auth.models import User

__all__ = ["User"]
