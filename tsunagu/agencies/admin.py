"""Reference data is edited here by admins. Personal data (persons, households, consultations,
cases) is deliberately not registered: it is never shown or edited through the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from tsunagu.agencies.models import Agency, Area, District, Membership, PostalCode, RoutingRule


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "code", "order")
    list_filter = ("area",)


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "town", "district")
    search_fields = ("code", "town")
    list_filter = ("district__area",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "district", "age_min", "age_max", "is_public", "to_confirm", "active")
    list_filter = ("kind", "area", "is_public", "to_confirm", "active")
    search_fields = ("name", "public_name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "active")
    list_filter = ("role", "active", "agency__kind")
    search_fields = ("user__username", "agency__name")
    autocomplete_fields = ("agency",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "condition", "threshold", "team_role", "scope", "priority", "active")
    list_editable = ("priority", "active")
    filter_horizontal = ("target_agencies",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("agency",)


class StaffUserAdmin(UserAdmin):
    """Users with their agencies and roles on one page."""

    inlines = [MembershipInline]
    list_display = ("username", "last_name", "first_name", "is_active", "is_staff", "last_login")


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
