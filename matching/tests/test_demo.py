import random

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from matching import demo
from matching.models import (
    Conversation,
    Like,
    Match,
    Message,
    Pass,
    Photo,
    Playground,
    PlaygroundFavourite,
    Preferences,
    Profile,
    Prompt,
)
from matching.selectors import discovery_candidates

pytestmark = pytest.mark.django_db

User = get_user_model()


def snapshot():
    return (
        sorted(Profile.objects.values_list("id", "latitude", "longitude", "age")),
        sorted(Like.objects.values_list("user_id", "target_id")),
        sorted(Message.objects.values_list("id", "content", "created_at")),
    )


def test_tiny_scale_counts_invariants_and_progress():
    calls = []
    written = demo.generate(
        scale=0.0005,
        rng=random.Random(7),
        batch_size=40,
        progress=lambda table, done, total: calls.append((table, done, total)),
    )
    assert written == {
        "accounts_user": 50,
        "matching_profile": 50,
        "matching_preferences": Preferences.objects.count(),
        "matching_prompt": Prompt.objects.count(),
        "matching_photo": 100,
        "matching_playground": 1,
        "matching_playgroundfavourite": PlaygroundFavourite.objects.count(),
        "matching_like": 250,
        "matching_pass": 100,
        "matching_match": 25,
        "matching_conversation": 25,
        "matching_message": 500,
    }
    assert (User.objects.count(), Photo.objects.count(), Playground.objects.count()) == (50, 100, 1)
    assert (Like.objects.count(), Pass.objects.count(), Message.objects.count()) == (250, 100, 500)
    assert ("matching_message", 40, 500) in calls
    assert ("matching_message", 500, 500) in calls
    # Every mutual like has its (ordered) match and conversation; no like and pass overlap.
    mutual = Like.objects.filter(
        Exists(Like.objects.filter(user=OuterRef("target"), target=OuterRef("user")))
    ).count()
    assert mutual == 2 * Match.objects.count()
    assert Conversation.objects.count() == Match.objects.count()
    assert not Pass.objects.filter(
        Exists(Like.objects.filter(user=OuterRef("user"), target=OuterRef("target")))
    ).exists()
    for message in Message.objects.select_related("conversation")[:50]:
        pair = {message.conversation.user1_id, message.conversation.user2_id}
        assert {message.sender_id, message.recipient_id} == pair
    # The data is usable: discovery runs on it.
    from matching.selectors import preferences_for, radius_km

    for viewer in Profile.objects.order_by("id")[:10]:
        rows = list(discovery_candidates(profile=viewer))
        limit = radius_km(preferences_for(viewer))
        liked = set(Like.objects.filter(user=viewer.user).values_list("target_id", flat=True))
        assert all(row.distance_km <= limit for row in rows)
        assert not {row.user_id for row in rows} & (liked | {viewer.user_id})


def test_same_seed_same_rows():
    demo.generate(scale=0.0003, rng=random.Random(11))
    first = snapshot()
    User.objects.all().delete()
    demo.generate(scale=0.0003, rng=random.Random(11))
    assert snapshot() == first
    User.objects.all().delete()
    demo.generate(scale=0.0003, rng=random.Random(12))
    assert snapshot() != first
