from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def restrict_audit_tables(sender, using="default", **kwargs):
    """After every migrate: the audit tables stay read-and-append-only for every role but their
    owner, including tables a later migration created (decision 0009)."""
    from django.db import connections

    from tsunagu.audit.dbroles import restrict_audit_tables as restrict

    restrict(connections[using])


class AuditConfig(AppConfig):
    name = "tsunagu.audit"
    verbose_name = _("監査")

    def ready(self):
        post_migrate.connect(restrict_audit_tables, sender=self, dispatch_uid="tsunagu.audit.restrict")
