import pytest
from django.core.management import call_command


@pytest.fixture
def luna_seed(db):
    """The contract's seed data (fixtures/luna.json)."""
    call_command("loaddata", "luna", verbosity=0)
