"""The staff accounts the population generator creates and the HTTP benchmark signs in as.

This module is the contract between the two: the generator (``manage.py populate``) creates
exactly these accounts with the benchmark password, and ``manage.py bench_http`` signs in as them.
The password is for scratch benchmark databases only; both commands refuse to run in production.
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

# The published password is data (bench_logins.toml), as the demo's is; the environment may override it.
LOGINS_FILE = Path(__file__).with_name("bench_logins.toml")


def bench_password() -> str:
    with LOGINS_FILE.open("rb") as file:
        published: str = tomllib.load(file)["password"]
    return os.environ.get("TSUNAGU_BENCH_PASSWORD", published)


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
