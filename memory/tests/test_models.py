"""The contract's ranges and keys are enforced by the database itself."""

import pytest
from django.db import IntegrityError, transaction

from memory.models import CompanionProfile, EmotionalPattern, MasteredGrammar, MasteredWord, Memory
from memory.tests.factories import (
    CompanionProfileFactory,
    EmotionalPatternFactory,
    LearnerProfileFactory,
    MemoryFactory,
)

pytestmark = pytest.mark.django_db


def violates(name: str, update) -> bool:
    """True when the UPDATE is refused by the named constraint."""
    try:
        with transaction.atomic():
            update()
    except IntegrityError as error:
        # SQLite names CHECK constraints in the message; PostgreSQL names every constraint.
        return name in str(error) or "UNIQUE" in str(error)
    return False


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("empathy_level", 101, "memory_profile_empathy_level_0_100"),
        ("humor_level", 250, "memory_profile_humor_level_0_100"),
        ("formality_level", 101, "memory_profile_formality_level_0_100"),
        ("verbosity_level", 101, "memory_profile_verbosity_level_0_100"),
        ("proactiveness_level", 101, "memory_profile_proactiveness_level_0_100"),
        ("voice_speed", 0.4, "memory_profile_voice_speed_range"),
        ("voice_speed", 2.1, "memory_profile_voice_speed_range"),
        ("voice_pitch", 2.5, "memory_profile_voice_pitch_range"),
        ("gender", "robot", "memory_profile_gender_valid"),
        ("preferred_tone", "grumpy", "memory_profile_preferred_tone_valid"),
        ("response_style", "rambling", "memory_profile_response_style_valid"),
        ("avg_session_length", -1.0, "memory_profile_avg_session_length_gte_0"),
    ],
)
def test_profile_ranges_are_database_constraints(field, value, constraint):
    CompanionProfileFactory(user_id="u1")

    assert violates(
        constraint, lambda: CompanionProfile.objects.filter(user_id="u1").update(**{field: value})
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("confidence", 1.01, "memory_memory_confidence_0_1"),
        ("confidence", -0.1, "memory_memory_confidence_0_1"),
        ("importance", 1.5, "memory_memory_importance_0_1"),
        ("memory_type", "dream", "memory_memory_type_valid"),
    ],
)
def test_memory_ranges_are_database_constraints(field, value, constraint):
    memory = MemoryFactory()

    assert violates(
        constraint, lambda: Memory.objects.filter(pk=memory.pk).update(**{field: value})
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("avg_intensity", 100.5, "memory_pattern_avg_intensity_0_100"),
        ("trend", "sideways", "memory_pattern_trend_valid"),
    ],
)
def test_pattern_ranges_are_database_constraints(field, value, constraint):
    pattern = EmotionalPatternFactory()

    assert violates(
        constraint, lambda: EmotionalPattern.objects.filter(pk=pattern.pk).update(**{field: value})
    )


def test_one_pattern_per_user_and_emotion():
    EmotionalPatternFactory(user__user_id="u1", emotion="joy")

    assert violates(
        "memory_pattern_user_emotion_uniq",
        lambda: EmotionalPattern.objects.create(user_id="u1", emotion="joy"),
    )


def test_words_and_grammar_are_unique_per_profile():
    profile = LearnerProfileFactory()
    MasteredWord.objects.create(profile=profile, word="猫", language="zh")
    MasteredGrammar.objects.create(profile=profile, grammar_uri="g:1")

    assert violates(
        "memory_word_profile_word_lang_uniq",
        lambda: MasteredWord.objects.create(profile=profile, word="猫", language="zh"),
    )
    assert violates(
        "memory_grammar_profile_uri_uniq",
        lambda: MasteredGrammar.objects.create(profile=profile, grammar_uri="g:1"),
    )
    # The same word in the other language is another word.
    MasteredWord.objects.create(profile=profile, word="猫", language="en")
    assert violates(
        "memory_word_language_valid",
        lambda: MasteredWord.objects.create(profile=profile, word="chat", language="fr"),
    )
