import factory
from factory.django import DjangoModelFactory

from memory.models import (
    ApprovedCard,
    ChatMessage,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
    Memory,
    MemoryType,
)


class CompanionProfileFactory(DjangoModelFactory):
    class Meta:
        model = CompanionProfile
        django_get_or_create = ("user_id",)

    user_id = factory.Sequence(lambda n: f"user_{n:03d}")


class MemoryFactory(DjangoModelFactory):
    class Meta:
        model = Memory

    id = factory.Sequence(lambda n: f"mem_{n:05d}")
    user = factory.SubFactory(CompanionProfileFactory)
    memory_type = MemoryType.FACT
    content = factory.Sequence(lambda n: f"Memory number {n}")


class EmotionalPatternFactory(DjangoModelFactory):
    class Meta:
        model = EmotionalPattern

    user = factory.SubFactory(CompanionProfileFactory)
    emotion = factory.Iterator(["joy", "sadness", "anger", "fear", "love", "surprise"])
    frequency = 1
    avg_intensity = 50.0


class ConversationContextFactory(DjangoModelFactory):
    class Meta:
        model = ConversationContext

    user = factory.SubFactory(CompanionProfileFactory)
    session_id = factory.LazyAttribute(lambda context: context.user.user_id)


class LearnerProfileFactory(DjangoModelFactory):
    class Meta:
        model = LearnerProfile

    id = factory.Sequence(lambda n: f"child-{n}")
    name = factory.Sequence(lambda n: f"Child {n}")


class MasteredWordFactory(DjangoModelFactory):
    class Meta:
        model = MasteredWord

    profile = factory.SubFactory(LearnerProfileFactory)
    word = factory.Sequence(lambda n: f"word{n}")
    language = "en"


class MasteredGrammarFactory(DjangoModelFactory):
    class Meta:
        model = MasteredGrammar

    profile = factory.SubFactory(LearnerProfileFactory)
    grammar_uri = factory.Sequence(lambda n: f"grammar:point-{n}")


class ApprovedCardFactory(DjangoModelFactory):
    class Meta:
        model = ApprovedCard

    profile = factory.SubFactory(LearnerProfileFactory)
    card_type = "vocabulary"
    content = factory.Sequence(lambda n: {"word": f"word{n}"})


class ChatMessageFactory(DjangoModelFactory):
    class Meta:
        model = ChatMessage

    profile = factory.SubFactory(LearnerProfileFactory)
    role = "user"
    content = factory.Sequence(lambda n: f"message {n}")
