import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from config.api import Conflict
from matching import services
from matching.models import Conversation, Like, Match, Message, Pass, PlaygroundFavourite, Profile
from matching.tests.conftest import image_bytes
from matching.tests.factories import (
    PhotoFactory,
    PlaygroundFactory,
    ProfileFactory,
    UserFactory,
    make_match,
)

pytestmark = pytest.mark.django_db


def test_like_create_returns_the_match_only_when_mutual():
    a, b = ProfileFactory(), ProfileFactory()
    first = services.like_create(user=a.user, target=b)
    assert first.match is None
    second = services.like_create(user=b.user, target=a)
    assert second.match == Match.objects.get()
    assert (second.match.user1_id, second.match.user2_id) == tuple(sorted([a.user_id, b.user_id]))
    assert Conversation.objects.get().match == second.match


@pytest.mark.parametrize("service", ["like_create", "like_delete", "pass_create"])
def test_a_target_deleted_since_it_was_read_is_not_found(service):
    viewer, other = ProfileFactory(), ProfileFactory()
    stale = Profile.objects.select_related("user").get(pk=other.pk)
    other.delete()
    # The services join the caller's transaction: roll the failed one back, as a request would.
    with pytest.raises(NotFound), transaction.atomic():
        getattr(services, service)(user=viewer.user, target=stale)
    assert (Like.objects.count(), Pass.objects.count()) == (0, 0)


def test_match_create_is_idempotent_in_either_order():
    a, b = UserFactory(), UserFactory()
    first = services.match_create(user_a=a, user_b=b)
    second = services.match_create(user_a=b, user_b=a)
    assert first == second
    assert (Match.objects.count(), Conversation.objects.count()) == (1, 1)


def test_match_delete_leaves_a_pass_and_no_likes():
    a, b = ProfileFactory(), ProfileFactory()
    match = make_match(a, b)
    services.match_delete(user=b.user, match=match)
    assert Like.objects.count() == 0
    assert Match.objects.count() == 0
    assert list(b.user.pupmatch_passes.values_list("target", flat=True)) == [a.user_id]


def test_message_send_to_user_needs_a_match():
    a, b = ProfileFactory(), ProfileFactory()
    with pytest.raises(PermissionDenied):
        services.message_send_to_user(sender=a.user, recipient_id=b.user_id, content="hi")
    make_match(a, b)
    message = services.message_send_to_user(sender=a.user, recipient_id=b.user_id, content="hi")
    assert (message.sender_id, message.recipient_id) == (a.user_id, b.user_id)


def test_conversation_hide_marks_received_messages_read():
    a, b = ProfileFactory(), ProfileFactory()
    conversation = make_match(a, b).conversation
    services.message_send(sender=b.user, conversation=conversation, content="hello")
    services.conversation_hide(user=a.user, conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.cleared_at_for(a.user_id) is not None
    assert conversation.cleared_at_for(b.user_id) is None
    assert Message.objects.get().read is True


def test_photo_upload_orders_after_the_last_photo():
    profile = ProfileFactory()
    PhotoFactory(profile=profile, order=4)
    photo = services.photo_upload(
        profile=profile, upload=SimpleUploadedFile("x.png", image_bytes("PNG"))
    )
    assert photo.order == 5


def test_photo_reorder_rejects_foreign_ids():
    profile = ProfileFactory()
    mine = PhotoFactory.create_batch(2, profile=profile)
    with pytest.raises(ValidationError):
        services.photo_reorder(profile=profile, photo_ids=[mine[0].pk, PhotoFactory().pk])


def test_profile_create_twice_conflicts():
    profile = ProfileFactory()
    with pytest.raises(Conflict):
        services.profile_create(user=profile.user, name="Again", age=1)


def test_playground_create_favourites_for_owner_and_unfavourite_is_idempotent():
    owner = UserFactory()
    playground = services.playground_create(
        owner=owner, name="Pier 84", latitude=40.76, longitude=-74.0
    )
    assert PlaygroundFavourite.objects.filter(user=owner, playground=playground).exists()
    services.playground_unfavourite(user=owner, playground=playground)
    services.playground_unfavourite(user=owner, playground=playground)
    assert PlaygroundFavourite.objects.count() == 0
    other = PlaygroundFactory()
    services.playground_favourite(user=owner, playground=other)
    services.playground_favourite(user=owner, playground=other)
    assert PlaygroundFavourite.objects.filter(user=owner).count() == 1
