import pytest
from django.core.management import call_command


@pytest.fixture
def luna_seed(db):
    """The contract's seed data (fixtures/luna.json)."""
    call_command("loaddata", "luna", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Recommendations cache venue details per process (config/cache.py); each test starts
    without them."""
    from config import cache

    cache.clear_local()
