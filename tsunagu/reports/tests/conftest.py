import pytest

from tsunagu.agencies.models import Role
from tsunagu.core.tests.personas import make_user


@pytest.fixture
def people(reference):
    """One user of each role that matters to the reports (their agencies from the reference data)."""
    return {
        "secretariat": make_user("r-sec", "ward-seikatsu-fukushi", Role.SECRETARIAT),
        "desk": make_user("r-desk", "link", Role.DESK),
        "supervisor": make_user("r-sv", "merkmal", Role.SUPERVISOR),
        "caseworker": make_user("r-cw", "merkmal", Role.CASEWORKER),
        "partner": make_user("r-partner", "kyoiku-iinkai", Role.PARTNER),
        "admin": make_user("r-admin", "ward-seikatsu-fukushi", Role.ADMIN),
    }
