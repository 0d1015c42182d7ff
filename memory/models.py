"""What the system remembers of a person: the models of both packages, for Django and migrations.

EdgeSoul's companion memory lives in `memory.edgesoul`, the children's learning profiles in
`memory.learning`; they are one app with one migration history.
"""

from .edgesoul.models import (
    LEVEL_FIELDS,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    Gender,
    Memory,
    MemoryType,
    ResponseStyle,
    Tone,
    Trend,
    new_memory_id,
)
from .learning.models import (
    ApprovedCard,
    ChatMessage,
    ChatRole,
    Language,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
)

__all__ = [
    "LEVEL_FIELDS",
    "ApprovedCard",
    "ChatMessage",
    "ChatRole",
    "CompanionProfile",
    "ConversationContext",
    "EmotionalPattern",
    "Gender",
    "Language",
    "LearnerProfile",
    "MasteredGrammar",
    "MasteredWord",
    "Memory",
    "MemoryType",
    "ResponseStyle",
    "Tone",
    "Trend",
    "new_memory_id",
]
