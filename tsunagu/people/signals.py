"""Signals that ``people`` sends to the apps above it, which it may not import (decision 0013).

``persons_changed(household_ids=...)``: sent inside the transaction of every write that may change
who in these households is concerned or how old they are (a person added or edited). ``cases``
keeps the day each open case's concerned person passes the lead agency's age limit
(``Case.ages_out_on``, decision 0024) and recomputes it here, in the same transaction.
"""

from django.dispatch import Signal

persons_changed = Signal()
