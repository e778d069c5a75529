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

        # The sign-in trail (audit/signin.py).
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from tsunagu.audit import signin

        user_logged_in.connect(signin.signed_in, dispatch_uid="tsunagu.audit.sign_in")
        user_logged_out.connect(signin.signed_out, dispatch_uid="tsunagu.audit.sign_out")
        user_login_failed.connect(signin.sign_in_failed, dispatch_uid="tsunagu.audit.sign_in_failed")
        user_locked_out.connect(signin.locked_out, dispatch_uid="tsunagu.audit.locked_out")
