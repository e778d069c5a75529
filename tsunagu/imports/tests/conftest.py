import pytest


@pytest.fixture(autouse=True)
def _imports_inline(settings):
    """Checks and imports run inline in tests (no thread): deterministic, one transaction."""
    settings.IMPORTS_SYNCHRONOUS = True
