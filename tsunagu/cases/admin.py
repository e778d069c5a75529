"""No case data is edited in the admin (see agencies/admin.py). This module only extends the
agencies' admin with what the cases above it keep: an agency's new stall days move the stall day of
every case it leads (``Case.stalled_on``, decision 0017), and its new age limit the day each of
them ages out (``Case.ages_out_on``, decision 0024), in the same transaction as the save.
agencies cannot import cases (the layers), so the extension lives here."""

from typing import Any

from django.contrib import admin

from tsunagu.agencies.admin import AgencyAdmin
from tsunagu.agencies.models import Agency
from tsunagu.cases.work_state import ages_out_refresh_led_by, stall_refresh_led_by


class AgencyWithCasesAdmin(AgencyAdmin):
    def save_model(self, request: Any, obj: Agency, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "stall_days" in form.changed_data:
            stall_refresh_led_by(obj.pk)
        if change and "age_max" in form.changed_data:
            ages_out_refresh_led_by(obj.pk)


admin.site.unregister(Agency)
admin.site.register(Agency, AgencyWithCasesAdmin)
