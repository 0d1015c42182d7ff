import random
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from venues import services
from venues.models import ActionItem, Friendship, Interest, Venue
from venues.tests.factories import MemberFactory, VenueFactory


@pytest.mark.django_db
def test_toggle_with_a_seeded_random_source_is_exact(luna_seed):
    result = services.interest_toggle(member_id="user_4", venue_id="venue_1", rng=random.Random(7))

    item = result.action_item
    rng = random.Random(7)
    item_digits, code_digits = f"{rng.randint(0, 9999):04d}", f"{rng.randint(0, 9999):04d}"
    description = rng.choice(services.DESCRIPTIONS).format(n=5)
    assert (item.pk, item.action_code, item.description) == (
        f"action_venue_1_{item_digits}",
        f"LUNA-venue_1-{code_digits}",
        description,
    )
    assert result.interested_user_ids == ["user_6", "user_1", "user_2", "user_3", "user_4"]


@pytest.mark.django_db
def test_a_code_clash_is_retried_and_the_interest_kept(luna_seed):
    # An older, completed item already holds the code the first draw will produce.
    first = random.Random(3)
    first.randint(0, 9999)
    taken_code = f"LUNA-venue_1-{first.randint(0, 9999):04d}"
    ActionItem.objects.create(
        id="action_old",
        venue_id="venue_1",
        action_type="visit_venue",
        action_code=taken_code,
        description="old",
        status="completed",
        threshold_met=True,
    )

    result = services.interest_toggle(member_id="user_4", venue_id="venue_1", rng=random.Random(3))

    assert result.action_item.action_code != taken_code
    assert ActionItem.objects.filter(status="pending").count() == 1
    assert Interest.objects.filter(member_id="user_4", venue_id="venue_1").exists()
    assert Venue.objects.get(pk="venue_1").interested_count == 5


@pytest.mark.parametrize(
    ("category", "action_type"),
    [
        ("Restaurant", "book_venue"),
        ("Wine Bar", "book_venue"),
        ("Night Club", "book_venue"),
        ("Cocktail Lounge", "book_venue"),
        ("French Bistro", "book_venue"),
        ("Internet Cafe", "book_venue"),
        ("Coffee Shop", "visit_venue"),
        ("Cultural", "visit_venue"),
    ],
)
def test_action_type_for_category(category, action_type):
    assert services.action_type_for(category) == action_type


@pytest.mark.django_db
def test_database_refuses_a_second_pending_item_for_a_venue(luna_seed):
    fields = {
        "venue_id": "venue_1",
        "action_type": "visit_venue",
        "description": "d",
        "threshold_met": True,
    }
    ActionItem.objects.create(id="a1", action_code="C1", **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.create(id="a2", action_code="C2", **fields)


@pytest.mark.django_db
def test_database_refuses_an_unordered_friendship(luna_seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Friendship.objects.create(member_id="user_2", friend_id="user_1")


@pytest.mark.django_db
def test_venue_create_goes_last_and_recount_repairs_counts(luna_seed):
    venue = services.venue_create(
        id="venue_13",
        name="New Place",
        category="Bar",
        description="d",
        image="https://e.com/i.jpg",
        address="1 Main St, NYC",
        latitude=40.7,
        longitude=-74.0,
    )
    Venue.objects.filter(pk="venue_1").update(interested_count=99)

    updated = services.venue_recount()

    assert venue.position == 13
    assert updated == 13
    assert Venue.objects.get(pk="venue_1").interested_count == 4
    assert Venue.objects.get(pk="venue_13").interested_count == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_toggles_create_one_pending_item_and_lose_no_interest():
    venue = VenueFactory(category="Bar")
    members = MemberFactory.create_batch(8)
    barrier = threading.Barrier(len(members))
    errors = []

    def add(member_id):
        try:
            barrier.wait()
            services.interest_toggle(member_id=member_id, venue_id=venue.pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(m.pk,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Interest.objects.filter(venue=venue).count() == 8
    assert Venue.objects.get(pk=venue.pk).interested_count == 8
    item = ActionItem.objects.get(venue=venue, status="pending")
    assert item.memberships.count() == 4  # created by the fourth add, with the four interested then


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_toggles_of_one_member_leave_a_consistent_count():
    call_command("loaddata", "luna", verbosity=0)
    barrier = threading.Barrier(6)

    def flip():
        try:
            barrier.wait()
            services.interest_toggle(member_id="user_4", venue_id="venue_2")
        finally:
            connection.close()

    threads = [threading.Thread(target=flip) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Six toggles from "not interested" end at "not interested", whatever their order.
    assert not Interest.objects.filter(member_id="user_4", venue_id="venue_2").exists()
    assert Venue.objects.get(pk="venue_2").interested_count == 1


@pytest.mark.django_db
def test_toggle_audits_the_interest_it_adds_and_removes(luna_seed):
    from auditlog.models import LogEntry

    services.interest_toggle(member_id="user_1", venue_id="venue_5")
    interest = Interest.objects.get(member_id="user_1", venue_id="venue_5")
    services.interest_toggle(member_id="user_1", venue_id="venue_5")

    created, deleted = LogEntry.objects.filter(
        content_type__model="interest", object_pk=str(interest.pk)
    ).order_by("pk")
    assert (created.action, created.object_repr) == (LogEntry.Action.CREATE, "user_1 → venue_5")
    assert created.changes == {
        "id": [None, interest.pk],
        "member": [None, "user_1"],
        "venue": [None, "venue_5"],
        "created_at": [None, interest.created_at.strftime("%Y-%m-%d %H:%M:%S.%f")],
    }
    # The removal records the row as it was: the same values, the other way round.
    assert (deleted.action, deleted.object_repr) == (LogEntry.Action.DELETE, "user_1 → venue_5")
    assert deleted.changes == {name: [new, old] for name, (old, new) in created.changes.items()}
