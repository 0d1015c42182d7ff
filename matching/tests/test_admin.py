import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import PlaygroundFavourite
from matching.tests.factories import (
    FavouriteFactory,
    LikeFactory,
    MessageFactory,
    PassFactory,
    PhotoFactory,
    PlaygroundFactory,
    PreferencesFactory,
    ProfileFactory,
    PromptFactory,
    make_match,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "profile",
    "photo",
    "prompt",
    "preferences",
    "like",
    "pass",
    "match",
    "conversation",
    "message",
    "playground",
    "playgroundfavourite",
]


def build_world(n: int = 1):
    objects = {}
    for _ in range(n):
        a, b = ProfileFactory(name="Rex"), ProfileFactory(name="Luna")
        PreferencesFactory(profile=a)
        objects["profile"] = a
        objects["photo"] = PhotoFactory(profile=a)
        objects["prompt"] = PromptFactory(profile=a)
        objects["preferences"] = a.preferences
        match = make_match(a, b)
        objects["like"] = match.user1.pupmatch_likes.first()
        objects["pass"] = PassFactory(user=a.user)
        objects["match"] = match
        objects["conversation"] = match.conversation
        playground = PlaygroundFactory(name="Central Park Dog Run")
        objects["playground"] = playground
        objects["message"] = MessageFactory(
            conversation=match.conversation,
            sender=a.user,
            recipient=b.user,
            content="Meet at the run?",
            playground=playground,
        )
        objects["playgroundfavourite"] = FavouriteFactory(user=a.user, playground=playground)
        LikeFactory(user=a.user)
    return objects


@pytest.mark.parametrize("model", MODELS)
def test_changelist_search_add_and_change(admin_client, model):
    objects = build_world()
    changelist = reverse(f"admin:matching_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    response = admin_client.get(changelist, {"q": "rex"})
    assert response.status_code == 200
    assert admin_client.get(reverse(f"admin:matching_{model}_add")).status_code == 200
    change = reverse(f"admin:matching_{model}_change", args=[objects[model].pk])
    assert admin_client.get(change).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    build_world(1)
    url = reverse(f"admin:matching_{model}_changelist")
    admin_client.get(url)  # warm up the session and content types
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    build_world(4)
    with CaptureQueriesContext(connection) as large:
        admin_client.get(url)
    assert len(large) == len(small)


def test_search_finds_by_owner_email(admin_client):
    favourite = FavouriteFactory()
    response = admin_client.get(
        reverse("admin:matching_playgroundfavourite_changelist"), {"q": favourite.user.email}
    )
    assert list(response.context["cl"].result_list) == [favourite]
    assert PlaygroundFavourite.objects.count() == 1


def test_playground_search_by_name_or_the_owners_exact_email(admin_client):
    run = PlaygroundFactory(name="Central Park Dog Run")
    PlaygroundFactory(name="Riverside")
    url = reverse("admin:matching_playground_changelist")

    def found(term):
        return [p.pk for p in admin_client.get(url, {"q": term}).context["cl"].result_list]

    assert found("central park") == [run.pk]
    assert found(run.owner.email) == [run.pk]
    assert found(run.owner.email[:5]) == []  # part of an email: no scan of the users


def test_favourites_changelist_has_a_fixed_query_count(admin_client, django_assert_num_queries):
    first = FavouriteFactory()
    url = reverse("admin:matching_playgroundfavourite_changelist")
    admin_client.get(url)  # session and permissions cached

    # Session, user, the capped count, the page (playground and user joined); PostgreSQL
    # reads the planner's row estimate first (config/admin_scale.py).
    queries = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(queries):
        one = admin_client.get(url)
    latest = FavouriteFactory.create_batch(3)
    with django_assert_num_queries(queries):
        four = admin_client.get(url)

    assert [f.pk for f in one.context["cl"].result_list] == [first.pk]
    assert [f.pk for f in four.context["cl"].result_list] == [f.pk for f in [*latest[::-1], first]]


def test_profile_page_titles_the_preferences_inline_with_the_dogs_name(admin_client):
    profile = ProfileFactory(name="Rex")
    PreferencesFactory(profile=profile)

    response = admin_client.get(reverse("admin:matching_profile_change", args=[profile.pk]))

    assert response.status_code == 200
    assert b'<b>Preferences:</b> <span class="inline_label">Rex\n</span>' in response.content
    assert str(profile.pk).encode() + b"</span>" not in response.content
    assert (
        b"How far away matches may live, in the distance unit below (miles or km)."
        in response.content
    )


def test_prompts_inline_uses_compact_widgets(admin_client):
    profile = ProfileFactory()
    PromptFactory(profile=profile)

    response = admin_client.get(reverse("admin:matching_profile_change", args=[profile.pk]))

    assert b'<textarea name="prompts-0-answer" cols="40" rows="2"' in response.content
    assert b'name="prompts-0-question" value=' in response.content
    assert b'size="30"' in response.content


def test_like_search_by_exact_email_of_either_user(admin_client):
    like = LikeFactory()
    LikeFactory()
    url = reverse("admin:matching_like_changelist")

    by_user = admin_client.get(url, {"q": like.user.email})
    by_target = admin_client.get(url, {"q": like.target.email})
    partial = admin_client.get(url, {"q": like.user.email[:5]})

    assert list(by_user.context["cl"].result_list) == [like]
    assert list(by_target.context["cl"].result_list) == [like]
    assert list(partial.context["cl"].result_list) == []


def test_message_search_by_exact_email_of_sender_or_recipient(admin_client):
    a, b, c = ProfileFactory(), ProfileFactory(), ProfileFactory()
    match, other = make_match(a, b), make_match(b, c)
    message = MessageFactory(conversation=match.conversation, sender=a.user, recipient=b.user)
    MessageFactory(conversation=other.conversation, sender=c.user, recipient=b.user)
    url = reverse("admin:matching_message_changelist")

    by_sender = admin_client.get(url, {"q": a.user.email})
    by_recipient = admin_client.get(url, {"q": b.user.email})

    assert list(by_sender.context["cl"].result_list) == [message]
    assert len(by_recipient.context["cl"].result_list) == 2


def test_admin_searches_find_the_matching_rows(admin_client):
    from matching.models import Profile

    objects = build_world()
    rex = Profile.objects.get(name="Rex")
    message = objects["message"]

    def found(model, query):
        response = admin_client.get(reverse(f"admin:matching_{model}_changelist"), {"q": query})
        assert response.status_code == 200
        return [row.pk for row in response.context["cl"].result_list]

    assert found("profile", "Rex") == [rex.pk]
    assert found("profile", "rex") == []  # exact names only (an indexed lookup, no scan)
    assert found("profile", rex.user.email) == [rex.pk]
    assert found("message", message.sender.email) == [message.pk]
    assert found("profile", "nobody-by-this-name") == []
