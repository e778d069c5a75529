"""The administrators' view of sign-in lockouts (django-axes' failed attempts; S7).

Read-only, with one action: lift the lockout of the chosen user name and address pairs. The lift
is recorded in the security log with who did it (decision 0025); axes' own admin, whose delete
would lift a lockout without a record, is not registered (``AXES_ENABLE_ADMIN = False``)."""

from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEventKind
from tsunagu.core.templatetags.tsunagu import hidden_shown


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    list_display = ("typed_name", "ip_address", "failures_since_start", "attempt_time")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    fields = ("typed_name", "ip_address", "failures_since_start", "attempt_time", "user_agent", "path_info")
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description=_("ユーザー名"), ordering="username")
    def typed_name(self, obj: AccessAttempt) -> str:
        """The name as typed, its hidden characters shown: a lockout cannot pass for another's."""
        return hidden_shown(obj.username)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # only through "unlock", which is recorded

    def has_unlock_permission(self, request: Any) -> bool:
        return bool(request.user.has_perm("axes.delete_accessattempt"))

    @admin.action(description=_("選んだログインの一時停止を解除する"), permissions=["unlock"])
    def unlock(self, request: Any, queryset: Any) -> None:
        pairs = sorted(set(queryset.values_list("username", "ip_address")), key=lambda p: (p[0] or "", p[1] or ""))
        for username, ip in pairs:
            reset(username=username, ip=ip)
            security_record(
                request=request,
                kind=SecurityEventKind.UNLOCKED,
                details={"unlocked_username": username or "", "unlocked_ip": ip or ""},
            )
        self.message_user(
            request,
            ngettext("%(n)d 件の一時停止を解除しました。", "%(n)d 件の一時停止を解除しました。", len(pairs))
            % {"n": len(pairs)},
            messages.SUCCESS,
        )
