"""The staff accounts the population generator creates and the HTTP benchmark signs in as.

This module is the contract between the two: the generator (``manage.py populate``) creates
exactly these accounts with the benchmark password, and ``manage.py bench_http`` signs in as them.
The password is for scratch benchmark databases only; both commands refuse to run in production.
"""

import os
from dataclasses import dataclass

BENCH_PASSWORD_ENV = "TSUNAGU_BENCH_PASSWORD"
_DEFAULT_BENCH_PASSWORD = "bench-only-not-for-production"


def bench_password() -> str:
    return os.environ.get(BENCH_PASSWORD_ENV, _DEFAULT_BENCH_PASSWORD)


@dataclass(frozen=True)
class BenchPersona:
    username: str
    role: str  # agencies.models.Role value
    agency: str  # "central_desk" or "busiest": the agency with the largest open caseload
    what: str


PERSONAS = (
    BenchPersona("bench-desk", "desk", "central_desk", "desk worker: person search, the queue"),
    BenchPersona("bench-desk-sv", "supervisor", "central_desk", "desk supervisor: the whole queue, reviews"),
    BenchPersona(
        "bench-worker",
        "caseworker",
        "busiest",
        "caseworker of the busiest agency, lead worker of about 40 open cases, one of them with a long history",
    ),
    BenchPersona("bench-sv", "supervisor", "busiest", "supervisor of the busiest agency: agency-wide work page, inbox"),
    BenchPersona("bench-secretariat", "secretariat", "ward_office", "council secretariat: the reports"),
)
