import json
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings as django_settings

CATALOGS = Path(django_settings.BASE_DIR) / "fixtures" / "yago_catalogs.json"


@pytest.fixture(autouse=True)
def _offline_provider(settings):
    settings.YAGO_PROVIDER = "offline"
    settings.YAGO_PROVIDER_MAX_RETRIES = 0
    settings.YAGO_PROVIDER_TIMEOUT = 5.0


@cache
def catalog_records() -> list[dict]:
    return json.loads(CATALOGS.read_text())


def catalog_load() -> None:
    """The seed catalogs, bulk-inserted (no audit entries): the model table holds the prices."""
    from django.apps import apps

    by_model: dict[str, list] = {}
    for record in catalog_records():
        model = apps.get_model(record["model"])
        fields = dict(record["fields"])
        if "category" in fields:
            fields["category_id"] = fields.pop("category")
        by_model.setdefault(record["model"], []).append(model(pk=record["pk"], **fields))
    for label, rows in by_model.items():
        apps.get_model(label).objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def _catalogs(request):
    """Every database test starts with the seeded catalogs (prices included); tests of an
    empty catalog delete them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        return
    transactional = marker is not None and marker.kwargs.get("transaction")
    request.getfixturevalue("transactional_db" if transactional else "db")
    catalog_load()
