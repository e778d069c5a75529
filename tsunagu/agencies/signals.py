"""Signals that ``agencies`` sends to the apps above it, which it may not import (decision 0013).

``age_limits_changed(agency_ids=...)``: sent inside the transaction of a write outside the agency
admin that changed these agencies' age limit (``load_reference`` run again on an edited YAML).
``cases`` recomputes the day each case they lead ages out (``Case.ages_out_on``, decision 0024),
as the agency admin does (``cases/admin.py``).
"""

from django.dispatch import Signal

age_limits_changed = Signal()
