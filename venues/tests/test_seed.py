import pytest
from django.core.management import call_command

from config.fixture_check import fixture_differences
from venues.models import ActionItem, Friendship, Interest, Member, MemberCategory, Venue
from venues.tests.factories import InterestFactory


@pytest.mark.django_db
def test_seed_loads_the_contract_data_into_an_empty_database(capsys):
    call_command("seed", "luna")

    assert "luna: loaded 89 objects" in capsys.readouterr().out
    assert (
        Member.objects.count(),
        Venue.objects.count(),
        Interest.objects.count(),
        MemberCategory.objects.count(),
        Friendship.objects.count(),
        ActionItem.objects.count(),
    ) == (8, 12, 25, 16, 28, 0)
    assert list(Venue.objects.values_list("pk", flat=True)) == [f"venue_{n}" for n in range(1, 13)]
    assert Venue.objects.get(pk="venue_1").address == "450 W 15th St, NYC"
    assert (
        Venue.objects.get(pk="venue_12").latitude,
        Venue.objects.get(pk="venue_12").longitude,
    ) == (
        40.7300,
        -74.0010,
    )


@pytest.mark.django_db
def test_seed_never_overwrites_what_users_changed(capsys):
    call_command("seed", "luna")
    Venue.objects.filter(pk="venue_1").update(name="Renamed by a user")
    Interest.objects.filter(member_id="user_1", venue_id="venue_2").delete()

    call_command("seed", "luna")

    assert "luna: skipped (venues_friendship already has rows)" in capsys.readouterr().out
    assert Venue.objects.get(pk="venue_1").name == "Renamed by a user"
    assert Interest.objects.count() == 24


@pytest.mark.django_db
def test_rows_added_after_seeding_get_new_keys():
    call_command("seed", "luna")
    seeded = list(Interest.objects.values_list("pk", flat=True))

    interest = InterestFactory()

    # The seed's rows took keys from the sequence (natural keys, no explicit pk): next one.
    assert interest.pk == max(seeded) + 1


@pytest.mark.django_db
def test_loaddata_after_the_api_toggled_a_seed_interest_off_and_on(api_client):
    call_command("loaddata", "luna", verbosity=0)
    toggle = {"user_id": "user_1", "venue_id": "venue_1"}
    assert api_client.post("/luna/interests", toggle, format="json").status_code == 200
    assert api_client.post("/luna/interests", toggle, format="json").status_code == 200
    recreated = Interest.objects.get(member_id="user_1", venue_id="venue_1").pk

    call_command("loaddata", "luna", verbosity=0)

    assert fixture_differences("luna") == []
    # Found by its natural key and updated in place, not inserted a second time.
    assert Interest.objects.get(member_id="user_1", venue_id="venue_1").pk == recreated
    assert Interest.objects.count() == 25
    # New rows still get fresh keys (PostgreSQL's sequences are past the loaded rows).
    added = api_client.post(
        "/luna/interests", {"user_id": "user_1", "venue_id": "venue_5"}, format="json"
    )
    assert added.status_code == 200
    assert Interest.objects.count() == 26
