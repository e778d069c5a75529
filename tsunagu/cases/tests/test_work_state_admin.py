"""An agency's new stall days, saved in the admin, move the stall day of the cases it leads."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case


@pytest.mark.django_db
def test_new_stall_days_saved_in_the_admin_move_the_stall_day_of_the_led_cases(world, users):
    merkmal = Agency.objects.get(code="merkmal")
    model_admin = admin.site._registry[Agency]
    merkmal.stall_days = 60
    request = RequestFactory().post("/admin/")
    request.user = users["admin_user"]
    model_admin.save_model(request, merkmal, SimpleNamespace(changed_data=["stall_days"]), change=True)
    case = Case.objects.get(pk=world.case.pk)
    assert case.stalled_on == case.quiet_since + dt.timedelta(days=60)
    other = Case.objects.get(pk=world.other_case.pk)  # led by another agency
    assert other.stalled_on == timezone.localdate(other.opened_at) + dt.timedelta(days=30)
