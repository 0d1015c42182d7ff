import pytest
from django.core.management import call_command

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

    interest = InterestFactory()

    assert interest.pk == 26  # the sequence was moved past the fixture's explicit keys
