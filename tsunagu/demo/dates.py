"""Dates for the demo data, computed backwards from the deadlines the demo wants to show.

The demo is created once per machine, on any day of the year. Every date that decides what a work
page shows (a referral past its answer day, a plan due for review, a person about to age out, an
action due soon) is derived from the rule that decides it, never a fixed number of calendar days
ago, so a weekend, a holiday or the year-end closure cannot move an item in or out of a list.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tsunagu.lib.ages import add_months, add_years
from tsunagu.lib.businessdays import add_business_days, is_business_day, subtract_business_days
from tsunagu.work.worklist import AGE_LIMIT_MONTHS, DUE_WITHIN_DAYS, REVIEW_WITHIN_DAYS


@dataclass(frozen=True)
class DemoCalendar:
    """The one "now" of a demo run (read once, so a run that crosses midnight stays consistent)."""

    now: dt.datetime

    @classmethod
    def current(cls) -> "DemoCalendar":
        return cls(now=timezone.now())

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """``day`` at ``hour:minute`` in the site's time zone (Asia/Tokyo), as an aware datetime."""
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def business_days_ago(self, days: int) -> dt.date:
        return subtract_business_days(self.today, days)

    def business_days_ahead(self, days: int) -> dt.date:
        return add_business_days(self.today, days)

    def business_day_on_or_before(self, day: dt.date) -> dt.date:
        return day if is_business_day(day) else subtract_business_days(day, 1)

    def sent_on_for_late(self, *, referral_days: int, late_by: int) -> dt.date:
        """The day to send a referral so that its answer was due ``late_by`` business days before
        today (``late_by >= 1``: overdue today, whatever the weekday or holiday)."""
        if late_by < 1:
            raise ValueError("late_by must be at least 1 for an overdue referral")
        return subtract_business_days(self.today, referral_days + late_by)

    def action_due_soon(self) -> dt.date:
        """A next action the work page lists as due: the business day on or before today + 2
        (overdue at worst, never beyond the DUE_WITHIN_DAYS window)."""
        day = self.business_day_on_or_before(self.today + dt.timedelta(days=2))
        assert day <= self.today + dt.timedelta(days=DUE_WITHIN_DAYS)
        return day

    def review_soon(self) -> dt.date:
        """A plan review the work page lists as due (within REVIEW_WITHIN_DAYS)."""
        return min(self.business_days_ahead(3), self.today + dt.timedelta(days=REVIEW_WITHIN_DAYS))

    def review_later(self) -> dt.date:
        """A plan review well outside the REVIEW_WITHIN_DAYS window (about three months)."""
        return add_business_days(add_months(self.today, 3), 0)

    def birth_date_ageing_out(self, age_max: int) -> dt.date:
        """A birth date that makes a person ``age_max`` today and ``age_max + 1`` halfway through
        the work page's AGE_LIMIT_MONTHS horizon."""
        birthday = add_months(self.today, AGE_LIMIT_MONTHS // 2)
        return add_years(birthday, -(age_max + 1))
