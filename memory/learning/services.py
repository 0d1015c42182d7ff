"""Learning writes: learner profiles with their word and grammar lists, cards and chat."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from config.audit import audit_rows_added

from .models import (
    ApprovedCard,
    ChatMessage,
    Language,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
)

# How the old app joined its lists into one string (and how clients still send them).
WORD_SEPARATOR = ", "
GRAMMAR_SEPARATOR = ","
ID_MAX_LENGTH = LearnerProfile._meta.get_field("id").max_length


def split_joined(value: str | None) -> list[str]:
    """`"a, b,, a"` → `["a", "b"]`: split on commas, trim, drop blanks and duplicates."""
    items: dict[str, None] = {}
    for part in (value or "").split(","):
        item = part.strip()
        if item:
            items.setdefault(item, None)
    return list(items)


def profile_slug(name: str) -> str:
    """The id a profile named `name` asks for: its slug (Unicode kept), or "profile"."""
    return slugify(name, allow_unicode=True)[: ID_MAX_LENGTH - 8] or "profile"


def _free_id(base: str) -> str:
    """`base`, else `base-2`, `base-3`...: the first id no profile holds yet."""
    taken = set(LearnerProfile.objects.filter(id__startswith=base).values_list("id", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


@transaction.atomic
def learner_profile_create(
    *,
    fields: dict[str, Any],
    owner=None,
    words_zh: Iterable[str] = (),
    words_en: Iterable[str] = (),
    grammar: Iterable[str] = (),
) -> LearnerProfile:
    """Create a profile whose id is the slug of its name (`-2`, `-3`... on a clash), owned by
    `owner` (the creating account, or None when nobody signed in).

    Two requests racing for the same slug cannot both win: the insert runs in a savepoint and
    a clash on the primary key moves on to the next free suffix.
    """
    base = profile_slug(fields["name"])
    while True:
        candidate = _free_id(base)
        try:
            with transaction.atomic():
                profile = LearnerProfile.objects.create(id=candidate, owner=owner, **fields)
            break
        except IntegrityError:
            if not LearnerProfile.objects.filter(id=candidate).exists():
                raise  # another constraint failed, not the id
    words_replace(profile=profile, language=Language.CHINESE, words=words_zh)
    words_replace(profile=profile, language=Language.ENGLISH, words=words_en)
    grammar_replace(profile=profile, uris=grammar)
    return profile


@transaction.atomic
def learner_profile_update(
    *,
    profile: LearnerProfile,
    fields: dict[str, Any],
    words_zh: Iterable[str] | None = None,
    words_en: Iterable[str] | None = None,
    grammar: Iterable[str] | None = None,
) -> LearnerProfile:
    """Update the given fields; each list that is given replaces the stored one."""
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    if words_zh is not None:
        words_replace(profile=profile, language=Language.CHINESE, words=words_zh)
    if words_en is not None:
        words_replace(profile=profile, language=Language.ENGLISH, words=words_en)
    if grammar is not None:
        grammar_replace(profile=profile, uris=grammar)
    return profile


@transaction.atomic
def learner_profile_delete(*, profile: LearnerProfile) -> None:
    """Delete the profile; its words, grammar, cards and chat go with it (cascade)."""
    profile.delete()


@transaction.atomic
def words_replace(*, profile: LearnerProfile, language: str, words: Iterable[str]) -> None:
    """Make the profile's `language` words exactly `words` (kept words keep their date)."""
    wanted = list(dict.fromkeys(words))
    current = set(
        MasteredWord.objects.filter(profile=profile, language=language).values_list(
            "word", flat=True
        )
    )
    gone = current.difference(wanted)
    if gone:
        MasteredWord.objects.filter(profile=profile, language=language, word__in=gone).delete()
    added = [word for word in wanted if word not in current]
    MasteredWord.objects.bulk_create(
        [MasteredWord(profile=profile, word=word, language=language) for word in added],
        batch_size=1000,
    )
    # bulk_create writes no per-row audit entries (deletes above do): one for the batch.
    audit_rows_added(parent=profile, field=f"mastered words ({language})", objects=added)


@transaction.atomic
def grammar_replace(*, profile: LearnerProfile, uris: Iterable[str]) -> None:
    """Make the profile's grammar points exactly `uris`."""
    wanted = list(dict.fromkeys(uris))
    current = set(
        MasteredGrammar.objects.filter(profile=profile).values_list("grammar_uri", flat=True)
    )
    gone = current.difference(wanted)
    if gone:
        MasteredGrammar.objects.filter(profile=profile, grammar_uri__in=gone).delete()
    added = [uri for uri in wanted if uri not in current]
    MasteredGrammar.objects.bulk_create(
        [MasteredGrammar(profile=profile, grammar_uri=uri) for uri in added], batch_size=1000
    )
    audit_rows_added(parent=profile, field="mastered grammar", objects=added)


@transaction.atomic
def card_approve(*, profile: LearnerProfile, card_type: str, content: dict) -> ApprovedCard:
    """Store a flash card a parent approved for the child."""
    return ApprovedCard.objects.create(profile=profile, card_type=card_type, content=content)


@transaction.atomic
def chat_message_add(
    *, profile: LearnerProfile, role: str, content: str, timestamp: datetime | None = None
) -> ChatMessage:
    """Append one message to the child's chat with the tutor."""
    return ChatMessage.objects.create(
        profile=profile, role=role, content=content, timestamp=timestamp or timezone.now()
    )
