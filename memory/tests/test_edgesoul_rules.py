"""EdgeSoul's computed figures, pinned at their edges: an emotion's trend and the profile's
average session length."""

from datetime import UTC, datetime, timedelta

import pytest

from memory.edgesoul import services
from memory.models import CompanionProfile, EmotionalPattern

pytestmark = pytest.mark.django_db

BASE = "/edgesoul/api/v1/memory"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("intensities", "trend"),
    [
        ([], "stable"),
        ([10, 90, 90], "stable"),  # 3 samples: too few to call a trend
        ([50, 50, 60, 60], "stable"),  # newer half +10: exactly at the threshold
        ([50, 50, 60, 61], "increasing"),  # +10.5
        ([60, 60, 50, 50], "stable"),  # -10
        ([60, 61, 50, 50], "decreasing"),  # -10.5
        ([40, 40, 95, 51, 51], "increasing"),  # odd count: the middle (95) is in neither half
        ([40, 40, 95, 50, 50], "stable"),
        # Only the newest 6 count: the leading 0 drops out (with it: +30 → increasing).
        ([0, 50, 50, 50, 55, 55, 55], "stable"),
        ([90, 90, 90, 10, 10, 10], "decreasing"),
    ],
)
def test_emotion_trend_rule(intensities, trend):
    assert services.emotion_trend(intensities) == trend


def _track(api_client, intensity, minutes, emotion="joy"):
    body = {"emotion": emotion, "intensity": intensity}
    body["timestamp"] = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    response = api_client.post(f"{BASE}/emotion/u1", body, format="json")
    assert response.status_code == 201


def test_tracking_stores_the_trend_computed_from_the_newest_intensities(api_client):
    for minutes, intensity in enumerate([20, 20, 20]):
        _track(api_client, intensity, minutes)
    assert EmotionalPattern.objects.get().trend == "stable"

    _track(api_client, 80, 3)  # [20, 20 | 20, 80]: +30

    pattern = api_client.get(f"{BASE}/emotions/u1").json()[0]
    assert pattern["trend"] == "increasing"
    assert EmotionalPattern.objects.get().recent_intensities == [
        {"at": "2026-11-20T09:00:00.000000Z", "intensity": 20.0},
        {"at": "2026-11-20T09:01:00.000000Z", "intensity": 20.0},
        {"at": "2026-11-20T09:02:00.000000Z", "intensity": 20.0},
        {"at": "2026-11-20T09:03:00.000000Z", "intensity": 80.0},
    ]


def test_a_late_reported_occurrence_takes_its_place_in_time(api_client):
    for minutes, intensity in [(10, 70), (11, 70), (12, 30), (13, 30)]:
        _track(api_client, intensity, minutes)
    assert EmotionalPattern.objects.get().trend == "decreasing"

    # Older than all of them: [10, 70, 70, 30, 30] → older half [10, 70], newer [30, 30]: -10.
    _track(api_client, 10, 0)

    pattern = EmotionalPattern.objects.get()
    assert [sample["intensity"] for sample in pattern.recent_intensities] == [10, 70, 70, 30, 30]
    assert pattern.trend == "stable"


def test_only_the_newest_six_are_kept(api_client):
    for minutes in range(8):
        _track(api_client, 10 * minutes, minutes)

    pattern = EmotionalPattern.objects.get()
    assert [sample["intensity"] for sample in pattern.recent_intensities] == [
        20, 30, 40, 50, 60, 70
    ]  # fmt: skip
    assert pattern.trend == "increasing"


def _say(api_client, monkeypatch, session, minutes):
    monkeypatch.setattr(services.timezone, "now", lambda: T0 + timedelta(minutes=minutes))
    body = {"session_id": session, "role": "user", "content": "hi"}
    response = api_client.post(f"{BASE}/conversation/u1", body, format="json")
    assert response.status_code == 201


def _usage() -> tuple[int, int, float]:
    profile = CompanionProfile.objects.get(user_id="u1")
    return profile.total_conversations, profile.total_messages, profile.avg_session_length


def test_average_session_length_is_the_mean_of_first_to_latest_message(api_client, monkeypatch):
    _say(api_client, monkeypatch, "s1", 0)
    assert _usage() == (1, 1, 0.0)  # one session, one message: 0 minutes so far

    _say(api_client, monkeypatch, "s1", 6)
    assert _usage() == (1, 2, 6.0)

    _say(api_client, monkeypatch, "s2", 60)  # a new session: lengths 6 and 0
    assert _usage() == (2, 3, 3.0)

    _say(api_client, monkeypatch, "s2", 62)  # lengths 6 and 2
    _say(api_client, monkeypatch, "s2", 63)  # lengths 6 and 3
    assert _usage() == (2, 5, 4.5)

    profile = api_client.get(f"{BASE}/stats/u1").json()["profile"]
    assert (profile["total_conversations"], profile["avg_session_length"]) == (2, 4.5)


def test_average_session_length_with_usage_imported_without_sessions(api_client, monkeypatch):
    # Imported counters can say 0 conversations while a context exists: no division by zero.
    _say(api_client, monkeypatch, "s1", 0)
    CompanionProfile.objects.update(total_conversations=0, avg_session_length=0.0)

    _say(api_client, monkeypatch, "s1", 4)

    assert _usage() == (0, 2, 4.0)
