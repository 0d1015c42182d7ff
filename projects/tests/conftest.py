import pytest


@pytest.fixture(autouse=True)
def _offline_provider(settings):
    settings.YAGO_PROVIDER = "offline"
    settings.YAGO_PROVIDER_MAX_RETRIES = 0
    settings.YAGO_PROVIDER_TIMEOUT = 5.0
