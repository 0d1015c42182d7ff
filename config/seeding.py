"""Seed data: each app's fixture in fixtures/ is loaded only while its tables are empty."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from accounts.services import demo_accounts_enable

# The user table is shared by several apps' fixtures, so it does not decide whether an
# app's seed data is loaded.
SHARED_MODELS = {"accounts.user"}


@dataclass(frozen=True)
class SeedResult:
    fixture: str
    loaded: bool
    objects: int
    reason: str = ""
    accounts: int = 0  # accounts loaded
    demo_accounts: int = 0  # of which given the demo password


def fixture_paths() -> list[Path]:
    return sorted(path for folder in settings.FIXTURE_DIRS for path in Path(folder).glob("*.json"))


def seed_fixture(path: Path, *, demo_accounts: bool | None = None) -> SeedResult:
    """Load one fixture file unless any of its app tables already has rows.

    The fixtures' accounts have no usable password; `demo_accounts` (default: the
    DEMO_ACCOUNTS setting) gives the ones just loaded the documented demo password.
    """
    records = json.loads(path.read_text())
    labels = sorted({record["model"].lower() for record in records} - SHARED_MODELS)
    for label in labels:
        model = apps.get_model(label)
        if model._default_manager.exists():
            return SeedResult(path.stem, False, 0, f"{model._meta.db_table} already has rows")
    if demo_accounts is None:
        demo_accounts = settings.DEMO_ACCOUNTS
    user_ids = [record["pk"] for record in records if record["model"].lower() in SHARED_MODELS]
    with transaction.atomic():
        # loaddata also resets PostgreSQL sequences past the fixture's explicit keys.
        call_command("loaddata", str(path), verbosity=0)
        enabled = demo_accounts_enable(user_ids=user_ids) if demo_accounts and user_ids else 0
    return SeedResult(path.stem, True, len(records), accounts=len(user_ids), demo_accounts=enabled)


def seed_all(
    names: list[str] | None = None, *, demo_accounts: bool | None = None
) -> list[SeedResult]:
    paths = fixture_paths()
    if names:
        paths = [path for path in paths if path.stem in names]
    return [seed_fixture(path, demo_accounts=demo_accounts) for path in paths]
