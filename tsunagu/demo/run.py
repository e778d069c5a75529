"""The state of one demo run, shared by the builders of each subject."""

import random
from dataclasses import dataclass
from typing import Any

from tsunagu.demo.dates import DemoCalendar


@dataclass
class DemoRun:
    users: dict[str, Any]  # the demo users by username (seed_demo_logins.toml)
    rng: random.Random  # one generator for the whole run: the same seed gives the same ward
    when: DemoCalendar
    # Only the lead agency's supervisors decide a plan: the first plan of a case their agency
    # leads is left waiting, so their work page shows a plan to approve.
    plan_left_waiting: bool = False
