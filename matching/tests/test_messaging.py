from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Message
from matching.tests.conftest import bearer
from matching.tests.factories import (
    MessageFactory,
    PlaygroundFactory,
    ProfileFactory,
    make_match,
)

pytestmark = pytest.mark.django_db


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def pair(profile):
    other = ProfileFactory(name="Luna")
    match = make_match(profile, other)
    return profile, other, match.conversation


def say(conversation, sender, recipient, content, minutes, read=False):
    return MessageFactory(
        conversation=conversation,
        sender=sender.user,
        recipient=recipient.user,
        content=content,
        read=read,
        created_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_send_in_conversation(pair, me):
    profile, other, conversation = pair
    response = me.post(f"/pupmatch/conversations/{conversation.pk}/messages", {"content": "Woof!"})
    assert response.status_code == 201
    message = Message.objects.get()
    assert response.json() == {
        "id": str(message.pk),
        "conversation_id": str(conversation.pk),
        "sender_id": str(profile.user_id),
        "recipient_id": str(other.user_id),
        "content": "Woof!",
        "read": False,
        "playground": None,
        "created_at": iso(message.created_at),
    }
    conversation.refresh_from_db()
    assert conversation.updated_at == message.created_at


def test_send_by_recipient_id(pair, me):
    profile, other, conversation = pair
    response = me.post("/pupmatch/messages", {"recipient_id": str(other.user_id), "content": "Hi"})
    assert response.status_code == 201
    assert Message.objects.get().conversation == conversation


def test_send_without_match_is_403(profile, me):
    stranger = ProfileFactory()
    response = me.post(
        "/pupmatch/messages", {"recipient_id": str(stranger.user_id), "content": "Hi"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You are not matched with this user"}
    assert Message.objects.count() == 0


def test_other_peoples_conversation_is_403(me):
    conversation = make_match(ProfileFactory(), ProfileFactory()).conversation
    for method, suffix in [("get", "/messages"), ("post", "/messages"), ("post", "/read")]:
        response = getattr(me, method)(
            f"/pupmatch/conversations/{conversation.pk}{suffix}", {"content": "x"}
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "You are not matched with this user"}


def test_empty_message_is_400(pair, me):
    _, _, conversation = pair
    response = me.post(f"/pupmatch/conversations/{conversation.pk}/messages", {"content": ""})
    assert response.status_code == 400


def test_history_is_chronological_with_cursor(pair, me):
    profile, other, conversation = pair
    messages = [
        say(conversation, *(profile, other) if i % 2 else (other, profile), f"m{i}", 10 - i)
        for i in range(5)
    ]
    first = me.get(f"/pupmatch/conversations/{conversation.pk}/messages?limit=2").json()
    assert [m["content"] for m in first["results"]] == ["m0", "m1"]
    assert first["previous"] is None
    second = me.get(first["next"]).json()
    assert [m["content"] for m in second["results"]] == ["m2", "m3"]
    third = me.get(second["next"]).json()
    assert [m["content"] for m in third["results"]] == ["m4"]
    assert third["next"] is None
    assert messages[0].content == "m0"


@pytest.mark.parametrize("n", [2, 10])
def test_history_query_budget(pair, me, django_assert_num_queries, n):
    profile, other, conversation = pair
    playground = PlaygroundFactory()
    for index in range(n):
        message = say(conversation, other, profile, f"m{index}", n - index)
        message.playground = playground
        message.save()
    # auth, conversation, page (with playground)
    with django_assert_num_queries(3):
        response = me.get(f"/pupmatch/conversations/{conversation.pk}/messages")
    assert len(response.json()["results"]) == n


def test_mark_read_and_unread_counts(pair, me):
    profile, other, conversation = pair
    third = ProfileFactory()
    second_conversation = make_match(profile, third).conversation
    say(conversation, other, profile, "a", 5)
    say(conversation, other, profile, "b", 4)
    say(conversation, profile, other, "mine", 3)
    say(second_conversation, third, profile, "c", 2)
    expected = sorted(
        [
            {"conversation_id": str(conversation.pk), "unread_count": 2},
            {"conversation_id": str(second_conversation.pk), "unread_count": 1},
        ],
        key=lambda row: row["conversation_id"],
    )
    assert me.get("/pupmatch/conversations/unread").json() == {
        "total": 3,
        "conversations": expected,
    }
    response = me.post(f"/pupmatch/conversations/{conversation.pk}/read")
    assert response.json() == {"marked_read": 2}
    assert me.get("/pupmatch/conversations/unread").json() == {
        "total": 1,
        "conversations": [{"conversation_id": str(second_conversation.pk), "unread_count": 1}],
    }
    # The other side's messages are untouched.
    assert Message.objects.get(content="mine").read is False


def test_unread_counts_in_one_query(pair, me, django_assert_num_queries):
    profile, other, conversation = pair
    say(conversation, other, profile, "a", 5)
    with django_assert_num_queries(2):  # auth, grouped count
        me.get("/pupmatch/conversations/unread")


@pytest.mark.parametrize("n", [1, 4])
def test_conversation_list_query_budget(profile, me, django_assert_num_queries, n):
    conversations = []
    for index in range(n):
        other = ProfileFactory(name=f"C{index}")
        conversation = make_match(profile, other).conversation
        say(conversation, other, profile, f"hello {index}", 10 - index)
        say(conversation, other, profile, f"again {index}", 9 - index)
        conversation.updated_at = timezone.now() - timedelta(minutes=9 - index)
        conversation.save()
        conversations.append((conversation, other))
    with django_assert_num_queries(3):  # auth, count, page
        response = me.get("/pupmatch/conversations")
    results = response.json()["results"]
    assert [row["other_profile"]["name"] for row in results] == [
        f"C{index}" for index in reversed(range(n))
    ]
    assert [row["unread_count"] for row in results] == [2] * n
    assert results[0]["last_message"]["content"] == f"again {n - 1}"
    conversation, other = conversations[-1]
    assert results[0]["id"] == str(conversation.pk)
    assert results[0]["other_profile"] == {
        "id": str(other.pk),
        "user_id": str(other.user_id),
        "name": other.name,
    }


def test_hide_conversation_for_one_user_only(pair, me):
    profile, other, conversation = pair
    say(conversation, other, profile, "old", 5)
    response = me.delete(f"/pupmatch/conversations/{conversation.pk}")
    assert response.status_code == 204
    assert me.get("/pupmatch/conversations").json()["count"] == 0
    assert me.get(f"/pupmatch/conversations/{conversation.pk}/messages").json()["results"] == []
    assert me.get("/pupmatch/conversations/unread").json()["total"] == 0
    them = bearer(other.user)
    assert them.get("/pupmatch/conversations").json()["count"] == 1
    history = them.get(f"/pupmatch/conversations/{conversation.pk}/messages").json()
    assert [m["content"] for m in history["results"]] == ["old"]
    # A new message brings it back for me, with only what came after the hide.
    them.post(f"/pupmatch/conversations/{conversation.pk}/messages", {"content": "new"})
    assert me.get("/pupmatch/conversations").json()["count"] == 1
    mine = me.get(f"/pupmatch/conversations/{conversation.pk}/messages").json()
    assert [m["content"] for m in mine["results"]] == ["new"]


def test_share_playground_into_conversation(pair, me):
    profile, other, conversation = pair
    playground = PlaygroundFactory(name="Tompkins Dog Run", latitude=40.7265, longitude=-73.9815)
    response = me.post(
        f"/pupmatch/conversations/{conversation.pk}/share-playground",
        {"playground_id": str(playground.pk)},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["content"] == "Let's meet at Tompkins Dog Run!"
    assert body["playground"] == {
        "id": str(playground.pk),
        "name": "Tompkins Dog Run",
        "description": "Fenced, with water",
        "latitude": 40.7265,
        "longitude": -73.9815,
    }
    history = bearer(other.user).get(f"/pupmatch/conversations/{conversation.pk}/messages")
    assert history.json()["results"][0]["playground"]["id"] == str(playground.pk)


def test_share_unknown_playground_is_404(pair, me):
    _, _, conversation = pair
    response = me.post(
        f"/pupmatch/conversations/{conversation.pk}/share-playground",
        {"playground_id": "00000000-0000-0000-0000-000000000001"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Playground not found"}


def _hide_at(conversation, user, moment):
    field = "user1_cleared_at" if conversation.user1_id == user.pk else "user2_cleared_at"
    type(conversation).objects.filter(pk=conversation.pk).update(**{field: moment})


def test_hidden_history_ends_exactly_at_the_clear_time(pair, me):
    profile, other, conversation = pair
    cleared = timezone.now() - timedelta(minutes=1)
    for content, moment in [
        ("before", cleared - timedelta(microseconds=1)),
        ("at", cleared),
        ("after", cleared + timedelta(microseconds=1)),
    ]:
        MessageFactory(
            conversation=conversation,
            sender=other.user,
            recipient=profile.user,
            content=content,
            created_at=moment,
        )
    _hide_at(conversation, profile.user, cleared)

    mine = me.get(f"/pupmatch/conversations/{conversation.pk}/messages").json()

    # A message stamped exactly at the clear time was part of what the user hid.
    assert [m["content"] for m in mine["results"]] == ["after"]


@pytest.mark.parametrize(
    ("activity", "listed"),
    [(timedelta(0), 0), (timedelta(microseconds=1), 1), (-timedelta(microseconds=1), 0)],
)
def test_hidden_conversation_shows_again_only_after_activity_past_the_clear_time(
    pair, me, activity, listed
):
    profile, _, conversation = pair
    cleared = timezone.now() - timedelta(minutes=1)
    _hide_at(conversation, profile.user, cleared)
    type(conversation).objects.filter(pk=conversation.pk).update(updated_at=cleared + activity)

    assert me.get("/pupmatch/conversations").json()["count"] == listed


def test_share_playground_with_custom_content(pair, me):
    profile, other, conversation = pair
    playground = PlaygroundFactory(name="Tompkins Dog Run", latitude=40.7265, longitude=-73.9815)

    response = me.post(
        f"/pupmatch/conversations/{conversation.pk}/share-playground",
        {"playground_id": str(playground.pk), "content": "Saturday 9am here?"},
    )

    assert response.status_code == 201
    message = Message.objects.get()
    assert response.json() == {
        "id": str(message.pk),
        "conversation_id": str(conversation.pk),
        "sender_id": str(profile.user_id),
        "recipient_id": str(other.user_id),
        "content": "Saturday 9am here?",
        "read": False,
        "playground": {
            "id": str(playground.pk),
            "name": "Tompkins Dog Run",
            "description": "Fenced, with water",
            "latitude": 40.7265,
            "longitude": -73.9815,
        },
        "created_at": iso(message.created_at),
    }


def test_send_by_recipient_id_answers_the_message(pair, me):
    profile, other, conversation = pair

    response = me.post("/pupmatch/messages", {"recipient_id": str(other.user_id), "content": "Hi"})

    assert response.status_code == 201
    message = Message.objects.get()
    assert response.json() == {
        "id": str(message.pk),
        "conversation_id": str(conversation.pk),
        "sender_id": str(profile.user_id),
        "recipient_id": str(other.user_id),
        "content": "Hi",
        "read": False,
        "playground": None,
        "created_at": iso(message.created_at),
    }


def test_send_query_budget(pair, me, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Message)  # cached, as in a running process
    _, _, conversation = pair
    # savepoint (the request's transaction), auth user, conversation, the message, its audit
    # entry, the conversation's activity time, release
    with django_assert_num_queries(7):
        response = me.post(
            f"/pupmatch/conversations/{conversation.pk}/messages", {"content": "Hi"}, format="json"
        )
    assert response.status_code == 201


def test_sent_message_data_is_the_message_serializers(pair):
    from matching.serializers import MessageSerializer, message_data

    mine, other, conversation = pair
    plain = say(conversation, mine, other, "Hi", 0)
    shared = say(conversation, other, mine, "Here", 1)
    shared.playground = PlaygroundFactory(name="Tompkins Dog Run", latitude=40.7, longitude=-73.9)
    shared.save()
    for message in (plain, shared):
        data = message_data(message)
        assert data == MessageSerializer(message).data
        assert list(data) == list(MessageSerializer(message).data)
