"""`manage.py loaddata NAME` of every fixture works on any database: empty, already seeded, or
changed through the API (each app's tests change its data first; see their test_fixtures)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from config.fixture_check import fixture_differences

pytestmark = pytest.mark.django_db

FIXTURES = ["edgesoul", "learning", "luna", "pupmatch", "yago", "yago_catalogs"]


def test_every_fixture_is_covered_here():
    folder = Path(settings.FIXTURE_DIRS[0])

    assert sorted(path.stem for path in folder.glob("*.json")) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_loaddata_twice_leaves_the_seed_rows_as_in_the_fixture(name):
    call_command("loaddata", name, verbosity=0)
    call_command("loaddata", name, verbosity=0)

    assert fixture_differences(name) == []


def test_differences_name_a_changed_and_a_missing_row():
    from venues.models import Interest, Member

    call_command("loaddata", "luna", verbosity=0)
    Member.objects.filter(pk="user_1").update(name="Changed")
    Interest.objects.filter(member_id="user_2", venue_id="venue_1").delete()

    assert fixture_differences("luna") == [
        "venues.member #0.name: 'Changed' != 'Alex Chen'",
        "venues.interest #21: missing",
    ]
