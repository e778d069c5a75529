"""Reference data is edited here by admins. Personal data (persons, households, consultations,
cases) is deliberately not registered: it is never shown or edited through the admin.

Memberships and account flags are written through ``agencies.services`` (decision 0009): every
change is recorded in the append-only role-change trail, and an administrator cannot give itself
a role that reads case content.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from tsunagu.agencies import services
from tsunagu.agencies.models import Agency, Area, District, Membership, PostalCode, RoutingRule
from tsunagu.lib.text import HIDDEN_MESSAGE, code_points, hidden_characters


def _refuse_hidden(kind: str) -> Callable[[str], None]:
    """The field validator of core.forms' text fields, for the admin (which sits below core): the
    same policy (lib/text.py) and the same message."""

    def validate(value: str) -> None:
        found = hidden_characters(value, kind=kind)
        if found:
            raise ValidationError(
                gettext(HIDDEN_MESSAGE), code="hidden_characters", params={"codes": code_points(found)}
            )

    return validate


class RefuseHiddenCharacters:
    """Every free-text field of these admin pages refuses invisible and direction-changing
    characters, as the application's own forms do (issue 8, defect 11): staff and agency names
    typed here are shown on every page (受付者, このケースを見た人, the security log, the role
    changes, agency checkboxes)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.CharField) and not db_field.choices:
            text = isinstance(db_field, models.TextField)
            field.validators.append(_refuse_hidden("text" if text else "line"))
        return field


class DistrictInline(RefuseHiddenCharacters, admin.TabularInline):
    model = District
    extra = 0


@admin.register(Area)
class AreaAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    list_display = ("name", "code", "order")
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    list_display = ("name", "area", "code", "order")
    list_filter = ("area",)


@admin.register(PostalCode)
class PostalCodeAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    list_display = ("code", "town", "district")
    search_fields = ("code", "town")
    list_filter = ("district__area",)


@admin.register(Agency)
class AgencyAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    list_display = ("name", "kind", "area", "district", "age_min", "age_max", "is_public", "to_confirm", "active")
    list_filter = ("kind", "area", "is_public", "to_confirm", "active")
    search_fields = ("name", "public_name", "code")


class MembershipAdminForm(forms.ModelForm):
    """Shows the service's refusal of a self-grant on the form, before anything is saved."""

    actor = None  # set per request by the admin (get_form / get_formset)

    class Meta:
        model = Membership
        fields = ("user", "agency", "role", "active")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE"):
            return cleaned
        user = cleaned.get("user")
        user_id = user.pk if user is not None else self.instance.user_id
        role = cleaned.get("role", self.instance.role)
        active = cleaned.get("active", self.instance.active)
        reason = services.membership_refusal(actor=self.actor, user_id=user_id, role=role, active=bool(active))
        if reason:
            self.add_error("role" if "role" in self.fields else None, reason)
        return cleaned


def with_actor(form_class, request):
    return type(form_class.__name__, (form_class,), {"actor": request.user})


def revoke_all(request, memberships) -> None:
    for membership in memberships:
        services.membership_revoke(actor=request.user, membership=membership)


@admin.register(Membership)
class MembershipAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "agency", "role", "active")
    list_filter = ("role", "active", "agency__kind")
    search_fields = ("user__username", "agency__name")
    autocomplete_fields = ("agency",)

    def get_readonly_fields(self, request, obj=None):
        # A membership never moves to another user (that would be a grant without a record).
        return ("user",) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_actor(super().get_form(request, obj, change=change, **kwargs), request)

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_change(actor=request.user, membership=obj)
        else:
            services.membership_grant(actor=request.user, membership=obj)

    def delete_model(self, request, obj):
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        revoke_all(request, queryset)


@admin.register(RoutingRule)
class RoutingRuleAdmin(RefuseHiddenCharacters, admin.ModelAdmin):
    list_display = ("name", "condition", "threshold", "team_role", "scope", "priority", "active")
    list_editable = ("priority", "active")
    filter_horizontal = ("target_agencies",)


class MembershipInline(RefuseHiddenCharacters, admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    extra = 1
    autocomplete_fields = ("agency",)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = with_actor(self.form, request)
        return super().get_formset(request, obj, **kwargs)


class StaffUserAdmin(RefuseHiddenCharacters, UserAdmin):
    """Users with their agencies and roles on one page."""

    inlines = [MembershipInline]
    list_display = ("username", "last_name", "first_name", "is_active", "is_staff", "last_login")

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        def clean(form):
            cleaned = form_class.clean(form)
            if obj is not None:
                before = services.account_flags(User.objects.get(pk=obj.pk))
                after = {flag: bool(cleaned.get(flag, before[flag])) for flag in services.ACCOUNT_FLAGS}
                reason = services.account_refusal(actor=request.user, user=obj, before=before, after=after)
                if reason:
                    form.add_error("is_superuser" if "is_superuser" in form.fields else None, reason)
            return cleaned

        return type(form_class.__name__, (form_class,), {"clean": clean})

    def save_model(self, request, obj, form, change):
        services.account_save(actor=request.user, user=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        revoke_all(request, formset.deleted_objects)
        for membership, _fields in formset.changed_objects:
            services.membership_change(actor=request.user, membership=membership)
        for membership in formset.new_objects:
            services.membership_grant(actor=request.user, membership=membership)
        formset.save_m2m()

    def user_change_password(self, request, id, form_url=""):
        # Saved (the view redirects only after saving the form): recorded in the same request's
        # transaction (ATOMIC_REQUESTS), so the trail and the new password stand or fall together.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.account_password_set(actor=request.user, user=self.get_object(request, unquote(id)))
        return response

    def delete_model(self, request, obj):
        services.account_delete(actor=request.user, user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.account_delete(actor=request.user, user=user)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
