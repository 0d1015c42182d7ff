"""Learning reads: profiles with their word and grammar lists, cards, chat."""

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from config.access import LEARNING

from .models import ApprovedCard, ChatMessage, LearnerProfile, MasteredGrammar, MasteredWord


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


def _by_id_or_name(queryset: QuerySet[LearnerProfile], key: str) -> LearnerProfile | None:
    """The profile with id `key`; when none has it, the oldest profile named `key`.

    One query: both candidates are fetched and the exact id sorts first.
    """
    return (
        queryset.filter(Q(id=key) | Q(name=key))
        .annotate(
            by_name=Case(When(id=key, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("by_name", "created_at", "id")
        .first()
    )


def learner_profile_get(
    *, key: str, viewer, with_lists: bool = True
) -> LearnerProfile | None:
    if with_lists:
        queryset = learner_profile_list(viewer=viewer)
    else:
        queryset = learner_profile_visible(viewer=viewer)
    return _by_id_or_name(queryset, key)


def learner_lists(*, profile: LearnerProfile) -> tuple[list[tuple[str, str]], list[str]]:
    """The profile's (language, word) pairs and grammar URIs, in id order (two queries).

    Value rows, not model instances: a learner has hundreds of words."""
    words = list(
        MasteredWord.objects.filter(profile=profile).order_by("id").values_list("language", "word")
    )
    grammar = list(
        MasteredGrammar.objects.filter(profile=profile)
        .order_by("id")
        .values_list("grammar_uri", flat=True)
    )
    return words, grammar


def card_list(*, profile: LearnerProfile) -> QuerySet[ApprovedCard]:
    return ApprovedCard.objects.filter(profile=profile).order_by("approved_at", "id")


def chat_list(*, profile: LearnerProfile) -> QuerySet[ChatMessage]:
    """The chat in chronological order."""
    return ChatMessage.objects.filter(profile=profile).order_by("timestamp", "id")
