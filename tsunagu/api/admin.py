"""Administrators issue and revoke the systems' tokens in /admin/ (decision 0037).

Issuing shows the token once, on the page that answers the form (never in a message or a cookie);
only its hash is kept. A token is never deleted or edited: it is revoked, with who and when, and
its calls stay recorded."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tsunagu.agencies.models import Membership
from tsunagu.api.models import ApiCall, ApiToken
from tsunagu.api.scopes import Scope
from tsunagu.api.services import token_check_issue, token_issue, token_revoke


class TokenIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("権限の範囲"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ("name", "user", "scopes", "expires_at")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account, expires_at = cleaned.get("user"), cleaned.get("expires_at")
        if account is None or expires_at is None:
            return cleaned
        membership = Membership.objects.filter(user=account, active=True).select_related("agency").first()
        if membership is None:
            self.add_error("user", _("このアカウントには有効な所属がありません。"))
            return cleaned
        try:
            token_check_issue(
                account=account, agency=membership.agency, scopes=cleaned.get("scopes") or [], expires_at=expires_at
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error("user" if field == "agency" else field, errors)
        cleaned["agency"] = membership.agency
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "agency", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("agency",)
    search_fields = ("name", "prefix", "user__username")
    ordering = ("-created_at",)
    actions = ["revoke"]
    readonly_fields = (
        "name",
        "prefix",
        "user",
        "agency",
        "scopes",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TokenIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else TokenIssueForm.Meta.fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, text = token_issue(
            user=request.user,
            account=form.cleaned_data["user"],
            agency=form.cleaned_data["agency"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data["expires_at"],
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        request.tsunagu_token_text = text

    def response_add(self, request: Any, obj: ApiToken, post_url_continue: Any = None) -> HttpResponse:
        """The token, once: the page answering the form shows it, and nothing keeps it."""
        return TemplateResponse(
            request,
            "api/token_issued.html",
            {**self.admin_site.each_context(request), "token": obj, "text": request.tsunagu_token_text},
        )

    @admin.action(description=_("選んだトークンを失効させる"))
    def revoke(self, request: Any, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token_revoke(user=request.user, token=token)
        self.message_user(
            request,
            ngettext("%(n)d 件のトークンを失効させました。", "%(n)d 件のトークンを失効させました。", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ("at", "token", "method", "path", "status", "ip")
    list_filter = ("status", "method")
    search_fields = ("token__prefix", "token__name", "path")
    ordering = ("-at",)
    readonly_fields = ("at", "token", "method", "path", "status", "ip")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
