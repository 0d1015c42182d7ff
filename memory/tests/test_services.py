import threading

import pytest
from django.db import connection

from memory.edgesoul import services as edgesoul_services
from memory.learning import services as learning_services
from memory.models import CompanionProfile, ConversationContext, EmotionalPattern, LearnerProfile


def test_split_joined_drops_blanks_and_duplicates():
    assert learning_services.split_joined(" 猫, 狗,,猫 ,  ") == ["猫", "狗"]
    assert learning_services.split_joined(None) == []


def test_profile_slug():
    assert learning_services.profile_slug("Xiao Ming!") == "xiao-ming"
    assert learning_services.profile_slug("小明") == "小明"
    assert learning_services.profile_slug("!!!") == "profile"


def _race(workers: int, work) -> list[BaseException]:
    """Run `work(index)` in `workers` threads released together; returns their errors."""
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_emotion_tracking_loses_no_occurrence():
    errors = _race(
        8,
        lambda index: edgesoul_services.emotion_track(
            user_id="racer", emotion="joy", intensity=float(index * 10), triggers=[f"t{index}"]
        ),
    )

    assert errors == []
    pattern = EmotionalPattern.objects.get()
    assert pattern.frequency == 8
    assert pattern.avg_intensity == pytest.approx(35.0)
    assert sorted(pattern.triggers) == sorted(f"t{index}" for index in range(8))
    assert CompanionProfile.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_messages_are_all_kept():
    errors = _race(
        6,
        lambda index: edgesoul_services.conversation_append(
            user_id="racer", session_id="s1", role="user", content=f"m{index}"
        ),
    )

    assert errors == []
    context = ConversationContext.objects.get()
    assert sorted(message["content"] for message in context.messages) == [
        f"m{index}" for index in range(6)
    ]
    profile = CompanionProfile.objects.get()
    assert (profile.total_messages, profile.total_conversations) == (6, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_profiles_with_one_name_get_distinct_ids():
    errors = _race(
        5,
        lambda index: learning_services.learner_profile_create(
            fields={"name": "Xiao Ming", "interests": []}
        ),
    )

    assert errors == []
    assert sorted(LearnerProfile.objects.values_list("id", flat=True)) == [
        "xiao-ming",
        "xiao-ming-2",
        "xiao-ming-3",
        "xiao-ming-4",
        "xiao-ming-5",
    ]
