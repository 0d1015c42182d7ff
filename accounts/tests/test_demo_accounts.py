"""No account with a known password unless asked: seed, loaddata and generate_demo_data."""

import json
import random
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from accounts.models import User
from accounts.services import DEMO_PASSWORD
from config.seeding import seed_fixture
from matching import demo

pytestmark = pytest.mark.django_db

FIXTURE = Path(django_settings.BASE_DIR) / "fixtures" / "pupmatch.json"
LOGIN = "/pupmatch/auth/login"
# Counted from the file: another change may restructure the fixture.
OBJECTS = len(json.loads(FIXTURE.read_text()))
BELLA = {"email": "bella@pupmatch.example", "password": DEMO_PASSWORD}


def _usable() -> list[bool]:
    return sorted({user.has_usable_password() for user in User.objects.all()})


def test_the_fixture_holds_no_password_hash():
    text = FIXTURE.read_text()
    assert text.count('"password": "!') == 12
    assert "bcrypt" not in text and "pbkdf2" not in text


def test_loaddata_gives_accounts_no_usable_password(api_client):
    call_command("loaddata", "pupmatch", verbosity=0)
    assert User.objects.count() == 12
    assert _usable() == [False]
    assert api_client.post(LOGIN, BELLA).status_code == 401


def test_seed_without_the_flag_leaves_accounts_without_a_password(api_client, settings):
    settings.DEMO_ACCOUNTS = False
    out = StringIO()
    call_command("seed", "pupmatch", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        f"  pupmatch: loaded {OBJECTS} objects; 12 accounts without a usable password "
        "(--demo-accounts for the demo password)"
    )
    assert _usable() == [False]
    response = api_client.post(LOGIN, BELLA)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}


def test_seed_with_demo_accounts_sets_the_documented_password(api_client, settings):
    settings.DEMO_ACCOUNTS = False
    out = StringIO()
    call_command("seed", "pupmatch", "--demo-accounts", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        f"  pupmatch: loaded {OBJECTS} objects; 12 demo accounts with the password pupmatch-demo"
    )
    assert _usable() == [True]
    assert api_client.post(LOGIN, BELLA).status_code == 200


def test_the_demo_accounts_setting_asks_too(api_client, settings):
    settings.DEMO_ACCOUNTS = True
    result = seed_fixture(FIXTURE)
    assert (result.accounts, result.demo_accounts) == (12, 12)
    assert api_client.post(LOGIN, BELLA).status_code == 200


def test_seed_never_resets_passwords_of_accounts_already_there(settings):
    seed_fixture(FIXTURE, demo_accounts=False)
    bella = User.objects.get(email="bella@pupmatch.example")
    bella.set_password("her own password")
    bella.save()
    again = seed_fixture(FIXTURE, demo_accounts=True)
    assert (again.loaded, again.demo_accounts) == (False, 0)
    bella.refresh_from_db()
    assert bella.check_password("her own password")


def test_generated_accounts_have_no_usable_password_by_default():
    demo.generate(scale=0.0001, rng=random.Random(3))
    assert User.objects.count() == 10
    assert _usable() == [False]


def test_generated_accounts_get_the_demo_password_when_asked():
    demo.generate(scale=0.0001, rng=random.Random(3), demo_accounts=True)
    assert _usable() == [True]
    assert User.objects.order_by("email").first().check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(
    "flag, demo_setting, usable, line",
    [
        (
            [],
            False,
            [False],
            "  10 accounts without a usable password (--demo-accounts for the demo password)",
        ),
        (["--demo-accounts"], False, [True], "  10 accounts with the demo password pupmatch-demo"),
        ([], True, [True], "  10 accounts with the demo password pupmatch-demo"),
    ],
)
def test_generate_demo_data_command(settings, flag, demo_setting, usable, line):
    settings.DEMO_ACCOUNTS = demo_setting
    out = StringIO()
    call_command(
        "generate_demo_data",
        "--scale",
        "0.0001",
        "--only",
        "pupmatch",
        *flag,
        stdout=out,
        stderr=StringIO(),
    )
    assert line in out.getvalue().splitlines()
    assert _usable() == usable
