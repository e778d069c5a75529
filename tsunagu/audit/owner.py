"""Connect as the schema owner for a schema change (decision 0009).

A deployment sets ``DATABASE_URL`` to the application role and ``MIGRATE_DATABASE_URL`` to the
owner of the same database. ``as_owner`` swaps the owner's credentials into the connection for
the duration of a command (``migrate``, ``audit_partitions``) when the URL names the same
database, and otherwise leaves the connection as it is, with a notice: so the test runner's
``test_<name>`` database is never changed with production credentials.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

SWAPPED = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def as_owner(alias: str, *, notice: Callable[[str], object] | None = None) -> Iterator[None]:
    url = getattr(settings, "MIGRATE_DATABASE_URL", "")
    connection = connections[alias]
    if not url or alias != DEFAULT_DB_ALIAS:
        yield
        return
    owner = dj_database_url.parse(url)
    if owner["ENGINE"] != connection.settings_dict["ENGINE"]:
        raise CommandError("MIGRATE_DATABASE_URL と DATABASE_URL は同じ種類のデータベースを指してください。")
    if owner["NAME"] != connection.settings_dict["NAME"]:
        # A test database (test_<name>) or another database: the connection as is.
        if notice is not None:
            notice("MIGRATE_DATABASE_URL names another database; connecting with DATABASE_URL.")
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in SWAPPED}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in SWAPPED})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
