from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from memory.models import CompanionProfile, Memory

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_search_plan_generates_explains_and_cleans_up():
    out = StringIO()

    call_command(
        "edgesoul_search_plan", "--memories", "3000", "--users", "50", "--runs", "2", stdout=out
    )

    text = out.getvalue()
    assert "generated memories: 3,000" in text
    assert "== EXPLAIN ANALYZE: user plan_heavy, query 'hiking mountain'" in text
    assert "== EXPLAIN ANALYZE: user plan_user_7, query 'hiking mountain'" in text
    assert text.count("Execution Time:") == 2
    assert text.count("-- 2 runs: median") == 2
    assert (Memory.objects.count(), CompanionProfile.objects.count()) == (0, 0)


@pytest.mark.postgres
def test_search_plan_keeps_the_rows_when_asked():
    call_command(
        "edgesoul_search_plan", "--memories", "500", "--users", "10", "--runs", "1", "--keep",
        stdout=StringIO(),
    )  # fmt: skip

    assert Memory.objects.filter(user_id="plan_heavy").count() == 100
    assert Memory.objects.count() == 500
    assert CompanionProfile.objects.count() == 11


@pytest.mark.sqlite
def test_search_plan_needs_postgresql():
    with pytest.raises(CommandError) as raised:
        call_command("edgesoul_search_plan", stdout=StringIO())

    assert str(raised.value) == "needs PostgreSQL (DATABASE_URL=postgres://...)"
