"""Learning reads: profiles with their word and grammar lists, cards, chat."""

from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from config.access import LEARNING
from config.sql import Prepared

from .models import (
    LEARNER_PROFILE_FIELDS,
    ApprovedCard,
    ChatMessage,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
)

# A profile's own columns as GET /learning/profiles/{id} reads them (value rows).
PROFILE_ROW_FIELDS = ("id", *LEARNER_PROFILE_FIELDS)


def learner_profile_visible(*, viewer) -> QuerySet[LearnerProfile]:
    """Every profile, or with LEARNING_ACCESS=user the viewer's own (staff: also the ones
    nobody owns, i.e. imported and seeded); others' are never returned (a 404)."""
    queryset = LearnerProfile.objects.all()
    if not LEARNING.scoped_to_account:
        return queryset
    if viewer is None or not viewer.is_authenticated:
        return queryset.none()
    mine = Q(owner=viewer)
    if viewer.is_staff:
        mine |= Q(owner__isnull=True)
    return queryset.filter(mine)


def learner_profile_list(*, viewer) -> QuerySet[LearnerProfile]:
    """Profiles with their words and grammar points prefetched (3 queries for any number)."""
    return learner_profile_visible(viewer=viewer).order_by("created_at", "id").prefetch_related(
        Prefetch(
            "mastered_words",
            queryset=MasteredWord.objects.order_by("id").only("profile_id", "word", "language"),
        ),
        Prefetch(
            "mastered_grammar",
            queryset=MasteredGrammar.objects.order_by("id").only("profile_id", "grammar_uri"),
        ),
    )


def _by_id_or_name_ordered(queryset: QuerySet[LearnerProfile], key: str) -> QuerySet:
    """The profiles with id or name `key`, the one with that id first, then the oldest."""
    return (
        queryset.filter(Q(id=key) | Q(name=key))
        .annotate(
            by_name=Case(When(id=key, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("by_name", "created_at", "id")
    )


def _by_id_or_name(queryset: QuerySet[LearnerProfile], key: str) -> LearnerProfile | None:
    """The profile with id `key`; when none has it, the oldest profile named `key`.

    One query: both candidates are fetched and the exact id sorts first.
    """
    return _by_id_or_name_ordered(queryset, key).first()


# The hot read of GET /learning/profiles/{id}, compiled once per process (config/sql.py):
# building and compiling these querysets cost more than running them.
_PROFILE_ROW = Prepared(
    lambda key: _by_id_or_name_ordered(LearnerProfile.objects.all(), key).values_list(
        *PROFILE_ROW_FIELDS
    )[:1]
)
# The profile's words and grammar points in one query: (language or GRAMMAR, text), in id order.
GRAMMAR = "grammar"
_LIST_ROWS = Prepared(
    lambda profile_id: MasteredWord.objects.filter(profile_id=profile_id)
    .order_by()  # no ORDER BY inside a compound statement (SQLite); the union is ordered
    .values_list("language", "word", "id")
    .union(
        MasteredGrammar.objects.filter(profile_id=profile_id)
        .order_by()
        .values_list(Value(GRAMMAR), "grammar_uri", "id"),
        all=True,
    )
    .order_by("id")
)


def learner_profile_row(*, key: str, viewer) -> dict[str, Any] | None:
    """`learner_profile_get(with_lists=False)` as a value row (PROFILE_ROW_FIELDS), or None."""
    if LEARNING.scoped_to_account:  # the viewer's scope: not one compiled query for all
        return (
            _by_id_or_name_ordered(learner_profile_visible(viewer=viewer), key)
            .values(*PROFILE_ROW_FIELDS)
            .first()
        )
    rows = _PROFILE_ROW.rows(key)
    return dict(zip(PROFILE_ROW_FIELDS, rows[0], strict=True)) if rows else None


def learner_profile_get(
    *, key: str, viewer, with_lists: bool = True
) -> LearnerProfile | None:
    if with_lists:
        queryset = learner_profile_list(viewer=viewer)
    else:
        queryset = learner_profile_visible(viewer=viewer)
    return _by_id_or_name(queryset, key)


def learner_lists(*, profile_id: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The profile's (language, word) pairs and grammar URIs, each in id order (one query).

    Value rows, not model instances: a learner has hundreds of words."""
    words, grammar = [], []
    for kind, text, _ in _LIST_ROWS.rows(profile_id):
        if kind == GRAMMAR:
            grammar.append(text)
        else:
            words.append((kind, text))
    return words, grammar


def card_list(*, profile: LearnerProfile) -> QuerySet[ApprovedCard]:
    return ApprovedCard.objects.filter(profile=profile).order_by("approved_at", "id")


def chat_list(*, profile: LearnerProfile) -> QuerySet[ChatMessage]:
    """The chat in chronological order."""
    return ChatMessage.objects.filter(profile=profile).order_by("timestamp", "id")
