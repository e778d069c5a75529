"""The person's own account pages: a new password (also where an account whose password an
administrator chose is sent after signing in) and the list of where they are signed in, with a
button to end each other session (docs/quality.md S8, decision 0027). On the top floor because
they record in the security log (audit) what core keeps (sessions)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import PasswordChangeRequired
from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEventKind
from tsunagu.core.access import CHOOSE_OWN_FLAG, login_only
from tsunagu.core.models import StaffSession
from tsunagu.core.sessions import session_end, sessions_end_all, sessions_of


class OwnPasswordForm(PasswordChangeForm):
    """Django's form, and the new password must differ from the current one: keeping the
    password an administrator chose would otherwise lift the "choose your own" flag."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("今のパスワードとは違うパスワードにしてください。"))
        return cleaned


class PasswordChangeView(auth_views.PasswordChangeView):
    """The person's own new password (old one, new one twice, the validators of settings). Also
    where an account whose password an administrator chose is sent after signing in."""

    form_class = OwnPasswordForm
    template_name = "core/password_change.html"
    success_url = reverse_lazy("work:home")

    def form_valid(self, form: Any) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and keeps this session (new key)
        user = self.request.user
        StaffSession.objects.filter(session_key=old_key).update(session_key=self.request.session.session_key)
        sessions_end_all(user, keep=self.request.session.session_key)  # the old password's sessions
        PasswordChangeRequired.objects.filter(user=user).delete()
        self.request.session.pop(CHOOSE_OWN_FLAG, None)
        security_record(request=self.request, kind=SecurityEventKind.PASSWORD_CHANGED)
        messages.success(self.request, _("パスワードを変更しました。ほかの端末のログインは終了しました。"))
        return response


def _password_change(request: HttpRequest) -> HttpResponse:
    return PasswordChangeView.as_view(extra_context={"must_change": bool(request.session.get(CHOOSE_OWN_FLAG))})(
        request
    )


_password_change.allowed_before_password_change = True  # type: ignore[attr-defined]
password_change_view = login_only(_password_change)


@login_only
def sessions_view(request: HttpRequest) -> HttpResponse:
    """Where the person is signed in, and a button to end each other session."""
    rows = sessions_of(request.user)
    return render(request, "core/sessions.html", {"rows": rows, "current": request.session.session_key})


@login_only
@require_POST
def session_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(StaffSession, pk=pk, user=request.user)
    if row.session_key != request.session.session_key:
        session_end(row)
        security_record(request=request, kind=SecurityEventKind.SESSION_ENDED)
        messages.success(request, _("その端末のログインを終了しました。"))
    return redirect("account:sessions")


@login_only
@require_POST
def sessions_end_others_view(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_all(request.user, keep=request.session.session_key)
    if ended:
        security_record(request=request, kind=SecurityEventKind.SESSION_ENDED)
    messages.success(request, _("ほかの端末のログインを %(n)s 件終了しました。") % {"n": ended})
    return redirect("account:sessions")
