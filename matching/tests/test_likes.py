import threading

import pytest
from django.db import connection

from matching import services
from matching.models import Conversation, Like, Match, Message, Pass
from matching.tests.conftest import bearer, signed_url
from matching.tests.factories import (
    LikeFactory,
    MessageFactory,
    PhotoFactory,
    ProfileFactory,
    UserFactory,
    make_match,
)


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
def test_one_sided_like_is_not_a_match(profile, me):
    other = ProfileFactory(name="Luna")
    response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.status_code == 200
    assert response.json() == {"is_match": False, "match": None}
    like = Like.objects.get()
    assert (like.user, like.target) == (profile.user, other.user)
    assert like.created_at is not None


@pytest.mark.django_db
def test_like_twice_is_harmless(profile, me):
    other = ProfileFactory()
    me.post(f"/pupmatch/profiles/{other.pk}/like")
    response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.status_code == 200
    assert Like.objects.count() == 1


@pytest.mark.django_db
def test_mutual_like_creates_one_match_and_conversation(profile, me):
    other = ProfileFactory(name="Luna", age=4, bio="Zoomies")
    photo = PhotoFactory(profile=other, order=0)
    LikeFactory(user=other.user, target=profile.user)
    response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    match = Match.objects.get()
    conversation = Conversation.objects.get()
    assert response.json() == {
        "is_match": True,
        "match": {
            "id": str(match.pk),
            "matched_at": iso(match.created_at),
            "conversation_id": str(conversation.pk),
            "profile": {
                "id": str(other.pk),
                "user_id": str(other.user_id),
                "name": "Luna",
                "age": 4,
                "bio": "Zoomies",
                "photos": [
                    {
                        "id": str(photo.pk),
                        "profile_id": str(other.pk),
                        "url": signed_url(photo.image.name),
                        "order": 0,
                        "created_at": iso(photo.created_at),
                        "thumbnail_url": None,
                    }
                ],
                "prompts": [],
            },
        },
    }
    assert (match.user1_id, match.user2_id) == tuple(sorted([profile.user_id, other.user_id]))
    assert conversation.match == match
    # Liking again neither errors nor duplicates.
    again = me.post(f"/pupmatch/profiles/{other.pk}/like").json()
    assert again["is_match"] is True
    assert Match.objects.count() == 1
    assert Conversation.objects.count() == 1


@pytest.mark.django_db
def test_like_self_is_400(profile, me):
    response = me.post(f"/pupmatch/profiles/{profile.pk}/like")
    assert response.status_code == 400
    assert Like.objects.count() == 0


@pytest.mark.django_db
def test_like_unknown_profile_is_404(profile, me):
    response = me.post("/pupmatch/profiles/00000000-0000-0000-0000-000000000009/like")
    assert response.status_code == 404


@pytest.mark.django_db
def test_like_without_own_profile_is_404():
    other = ProfileFactory()
    response = bearer(UserFactory()).post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.status_code == 404
    assert response.json() == {"detail": "Profile not found"}


@pytest.mark.django_db
def test_unlike_removes_like_match_and_conversation(profile, me):
    other = ProfileFactory()
    match = make_match(profile, other)
    MessageFactory(conversation=match.conversation, sender=profile.user, recipient=other.user)
    response = me.delete(f"/pupmatch/profiles/{other.pk}/like")
    assert response.status_code == 204
    assert list(Like.objects.values_list("user", flat=True)) == [other.user_id]
    assert Match.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0
    # Idempotent.
    assert me.delete(f"/pupmatch/profiles/{other.pk}/like").status_code == 204


@pytest.mark.django_db
def test_pass_is_recorded_once_and_withdraws_a_like(profile, me):
    other = ProfileFactory()
    LikeFactory(user=profile.user, target=other.user)
    assert me.post(f"/pupmatch/profiles/{other.pk}/pass").json() == {"passed": True}
    assert me.post(f"/pupmatch/profiles/{other.pk}/pass").status_code == 200
    passed = Pass.objects.get()
    assert (passed.user, passed.target) == (profile.user, other.user)
    assert Like.objects.count() == 0


@pytest.mark.django_db
def test_like_after_pass_replaces_it(profile, me):
    other = ProfileFactory()
    me.post(f"/pupmatch/profiles/{other.pk}/pass")
    me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert Pass.objects.count() == 0
    assert Like.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 4])
def test_matches_list_newest_first_query_budget(profile, me, django_assert_num_queries, n):
    others = []
    for index in range(n):
        other = ProfileFactory(name=f"M{index}")
        PhotoFactory(profile=other)
        make_match(profile, other)
        others.append(other)
    make_match(ProfileFactory(), ProfileFactory())  # not mine
    # auth, count, matches + profiles + conversation, photos and prompts of each side
    with django_assert_num_queries(7):
        response = me.get("/pupmatch/matches")
    body = response.json()
    assert body["count"] == n
    assert [m["profile"]["name"] for m in body["results"]] == [
        f"M{index}" for index in reversed(range(n))
    ]
    assert all(len(m["profile"]["photos"]) == 1 for m in body["results"])


@pytest.mark.django_db
def test_unmatch_removes_match_and_stops_messaging(profile, me):
    other = ProfileFactory()
    match = make_match(profile, other)
    conversation_id = match.conversation.pk
    response = me.delete(f"/pupmatch/matches/{match.pk}")
    assert response.status_code == 204
    assert Match.objects.count() == 0
    assert Like.objects.count() == 0
    assert list(Pass.objects.values_list("user", "target")) == [(profile.user_id, other.user_id)]
    send = me.post("/pupmatch/messages", {"recipient_id": str(other.user_id), "content": "hi"})
    assert send.status_code == 403
    assert me.get(f"/pupmatch/conversations/{conversation_id}/messages").status_code == 404
    # Neither sees the other in discovery any more.
    assert bearer(other.user).get("/pupmatch/discover").json()["count"] == 0


@pytest.mark.django_db
def test_unmatch_someone_elses_match_is_404(me):
    match = make_match(ProfileFactory(), ProfileFactory())
    assert me.delete(f"/pupmatch/matches/{match.pk}").status_code == 404
    assert Match.objects.count() == 1


@pytest.mark.django_db
def test_match_pair_must_be_ordered():
    from django.db import IntegrityError, transaction

    a, b = sorted([UserFactory(), UserFactory()], key=lambda user: user.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(user1=b, user2=a)


def _like_at_once(first, second):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def like(user, target):
        try:
            barrier.wait()
            results.append(services.like_create(user=user, target=target))
        except Exception as error:  # surfaced by the caller's assert
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=like, args=(first.user, second)),
        threading.Thread(target=like, args=(second.user, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_mutual_likes_create_exactly_one_match():
    """Both likes at the same moment, on real threads and connections (PostgreSQL)."""
    for _ in range(5):
        first, second = ProfileFactory(), ProfileFactory()
        results, errors = _like_at_once(first, second)
        assert errors == []
        pair = Match.objects.filter(user1__in=[first.user, second.user])
        assert pair.count() == 1
        assert Conversation.objects.filter(match__in=pair).count() == 1
        assert sorted(result.match is not None for result in results) == [False, True]


@pytest.fixture
def audit_content_types(db):
    """ContentType rows the audit log looks up, cached as a running process has them."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(Like, Pass, Match, Conversation)


@pytest.mark.django_db
def test_like_query_budget(profile, me, audit_content_types, django_assert_num_queries):
    other = ProfileFactory()
    # savepoint (the request's transaction), auth user, both profiles, the pair's lock, the
    # pair's state, the like, its audit entry, release
    with django_assert_num_queries(8):
        response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.json() == {"is_match": False, "match": None}
    # Again: nothing to write.
    with django_assert_num_queries(6):
        response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.json() == {"is_match": False, "match": None}
    assert Like.objects.count() == 1


@pytest.mark.django_db
def test_like_after_a_pass_withdraws_the_pass(profile, me):
    other = ProfileFactory()
    services.pass_create(user=profile.user, target=other)
    response = me.post(f"/pupmatch/profiles/{other.pk}/like")
    assert response.json() == {"is_match": False, "match": None}
    assert (Pass.objects.count(), Like.objects.count()) == (0, 1)


@pytest.mark.django_db
def test_like_of_an_unknown_profile_or_without_a_profile_is_404(profile, me):
    other = ProfileFactory()
    unknown = "00000000-0000-4000-8000-000000000000"
    assert me.post(f"/pupmatch/profiles/{unknown}/like").status_code == 404
    # A caller without a profile of their own.
    assert bearer(UserFactory()).post(f"/pupmatch/profiles/{other.pk}/like").status_code == 404
    assert Like.objects.count() == 0


@pytest.mark.django_db
def test_like_of_ones_own_profile_is_400(profile, me):
    response = me.post(f"/pupmatch/profiles/{profile.pk}/like")
    assert response.status_code == 400
    assert Like.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [("post", "like"), ("delete", "like"), ("post", "pass")])
def test_a_profile_deleted_after_the_view_read_it_is_404(profile, me, monkeypatch, method, path):
    from matching.api import ProfileViewSet
    from matching.models import Profile

    other = ProfileFactory()
    read = ProfileViewSet._target

    def read_then_deleted_by_another_request(view, pk):
        target = read(view, pk)
        Profile.objects.filter(pk=target.pk).delete()
        return target

    monkeypatch.setattr(ProfileViewSet, "_target", read_then_deleted_by_another_request)
    response = getattr(me, method)(f"/pupmatch/profiles/{other.pk}/{path}")
    assert (response.status_code, response.json()) == (404, {"detail": "Profile not found"})
    assert (Like.objects.count(), Pass.objects.count(), Match.objects.count()) == (0, 0, 0)
