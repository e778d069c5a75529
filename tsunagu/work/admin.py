"""The user admin, extended with the reset of a person's second factors (S6, decision 0033):
when the app, the security key and the recovery codes are all lost, an administrator removes
every factor and ends the person's sessions; the next sign-in enrols a factor afresh. Recorded in
the security log. agencies cannot import audit or core's sessions (the layers), so the extension
lives here, as cases/admin.py extends the agency admin."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.agencies.admin import StaffUserAdmin
from tsunagu.work.mfa import factors_reset

User = get_user_model()


class StaffUserWithFactorsAdmin(StaffUserAdmin):
    actions = ["reset_second_factors"]

    @admin.action(description=_("選んだ職員の二要素認証をリセットする"), permissions=["change"])
    def reset_second_factors(self, request: Any, queryset: Any) -> TemplateResponse | None:
        if not request.user.is_superuser and queryset.filter(is_superuser=True).exists():
            # The reset and a password set here would sign the administrator in as a superuser:
            # the superuser's second factor is what stops that.
            self.message_user(
                request,
                _("スーパーユーザーの二要素認証は、スーパーユーザーだけがリセットできます。何もリセットしていません。"),
                messages.ERROR,
            )
            return None
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "mfa/admin_reset_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("二要素認証のリセット"),
                    "users": queryset.order_by("username"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        users = list(queryset.order_by("username"))
        for user in users:
            factors_reset(request=request, user=user)
        self.message_user(
            request,
            ngettext(
                "%(n)d 人の二要素認証をリセットし、ログインを終了しました。次のログインで登録し直します。",
                "%(n)d 人の二要素認証をリセットし、ログインを終了しました。次のログインで登録し直します。",
                len(users),
            )
            % {"n": len(users)},
            messages.SUCCESS,
        )
        return None


admin.site.unregister(User)
admin.site.register(User, StaffUserWithFactorsAdmin)
# django-otp's own TOTP device admin added an app with a key of the administrator's choosing to
# any account, confirmed a pending enrolment, or deleted factors, none of it recorded and no
# session ended. An administrator changes somebody's factors only by the reset above.
admin.site.unregister(TOTPDevice)
