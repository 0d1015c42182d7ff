import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
)
from memory.tests.factories import (
    ApprovedCardFactory,
    ChatMessageFactory,
    CompanionProfileFactory,
    ConversationContextFactory,
    EmotionalPatternFactory,
    LearnerProfileFactory,
    MasteredGrammarFactory,
    MasteredWordFactory,
    MemoryFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    CompanionProfile: CompanionProfileFactory,
    Memory: MemoryFactory,
    EmotionalPattern: EmotionalPatternFactory,
    ConversationContext: ConversationContextFactory,
    LearnerProfile: LearnerProfileFactory,
    MasteredWord: MasteredWordFactory,
    MasteredGrammar: MasteredGrammarFactory,
    ApprovedCard: ApprovedCardFactory,
    ChatMessage: ChatMessageFactory,
}
MODELS = list(FACTORIES)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:memory_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_search_add_and_change_pages(admin_client, model):
    row = FACTORIES[model]()

    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "changelist") + "?q=zzz-nothing").status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    assert admin_client.get(url(model, "change", row.pk)).status_code == 200


def _changelist_queries(admin_client, model) -> int:
    cache.clear()  # the EdgeSoul statistics are cached for a minute
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url(model, "changelist")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, model
):
    FACTORIES[model].create_batch(2)
    few = _changelist_queries(admin_client, model)
    FACTORIES[model].create_batch(20)
    many = _changelist_queries(admin_client, model)

    assert many == few


def test_memory_search_and_filters(admin_client):
    tea = MemoryFactory(user__user_id="u1", content="Loves green tea", memory_type="preference")
    MemoryFactory(user__user_id="u2", content="Lives in Berlin", memory_type="fact")
    changelist = url(Memory, "changelist")

    by_content = admin_client.get(changelist + f"?q={tea.pk}")  # exact id: content is not indexed
    by_user = admin_client.get(changelist + "?q=u2")
    by_type = admin_client.get(changelist + "?memory_type__exact=fact")
    by_user_filter = admin_client.get(changelist + "?user_id=u1")

    assert [m.content for m in by_content.context["cl"].result_list] == ["Loves green tea"]
    assert [m.content for m in by_user.context["cl"].result_list] == ["Lives in Berlin"]
    assert [m.content for m in by_type.context["cl"].result_list] == ["Lives in Berlin"]
    assert [m.content for m in by_user_filter.context["cl"].result_list] == ["Loves green tea"]


def test_edgesoul_statistics_are_on_the_profile_changelist(admin_client):
    profile = CompanionProfileFactory(user_id="u1")
    MemoryFactory.create_batch(3, user=profile)
    EmotionalPatternFactory(user=profile, frequency=4)
    ConversationContextFactory(user=profile)

    response = admin_client.get(url(CompanionProfile, "changelist"))

    assert response.context["edgesoul_stats"] == {
        "users": 1,
        "memories": 3,
        "emotional_patterns": 1,
        "emotion_occurrences": 4,
        "conversations": 1,
        "active_conversations": 1,
    }
    assert b"EdgeSoul database statistics" in response.content
    row = response.context["cl"].result_list[0]
    assert (row.memory_total, row.pattern_total) == (3, 1)


def test_statistics_are_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("visitor@example.com", "pw")
    client.force_login(user)

    response = client.get(url(CompanionProfile, "changelist"))

    assert response.status_code == 302


def test_learner_changelist_counts_per_profile(admin_client):
    profile = LearnerProfileFactory(id="ann", name="Ann")
    MasteredWordFactory.create_batch(3, profile=profile, language="zh")
    MasteredWordFactory.create_batch(2, profile=profile, language="en")
    MasteredGrammarFactory(profile=profile)
    ApprovedCardFactory.create_batch(2, profile=profile)
    ChatMessageFactory.create_batch(4, profile=profile)

    response = admin_client.get(url(LearnerProfile, "changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.zh_total, row.en_total, row.grammar_total, row.card_total, row.chat_total) == (
        3,
        2,
        1,
        2,
        4,
    )


def test_learner_change_page_shows_the_latest_twenty_words_inline(admin_client):
    profile = LearnerProfileFactory(id="ann", name="Ann")
    words = MasteredWordFactory.create_batch(21, profile=profile)
    MasteredWordFactory()  # another child's word

    response = admin_client.get(url(LearnerProfile, "change", "ann"))

    word_formset = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is MasteredWord
    )
    assert [form.instance.pk for form in word_formset.formset.initial_forms] == [
        word.pk for word in words[1:]
    ]


def test_learner_change_page_shows_rows_read_only_and_links_all_of_them(
    admin_client, django_assert_num_queries
):
    profile = LearnerProfileFactory(id="ann", name="Ann")
    MasteredWordFactory.create_batch(21, profile=profile)
    MasteredGrammarFactory(profile=profile)
    admin_client.get(url(LearnerProfile, "change", "ann"))  # session and permissions cached

    # Session, user, the profile with its counts, one query per inline (4).
    with django_assert_num_queries(7):
        response = admin_client.get(url(LearnerProfile, "change", "ann"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="mastered_words-0-word"' not in page  # text, not form widgets
    assert len(re.findall(r'<td class="field-word">\s*<p>word', page)) == 20  # latest 20, as text
    assert (
        '<a href="/admin/memory/masteredword/?profile_id=ann">21 mastered words</a> · '
        '<a href="/admin/memory/masteredgrammar/?profile_id=ann">1 mastered grammar points</a> · '
        '<a href="/admin/memory/approvedcard/?profile_id=ann">0 approved cards</a> · '
        '<a href="/admin/memory/chatmessage/?profile_id=ann">0 chat messages</a>'
    ) in page


def test_admin_searches_find_the_matching_rows(admin_client):
    alex = CompanionProfileFactory(user_id="alex", name="Alex")
    CompanionProfileFactory(user_id="sam", name="Sam")
    tea = MemoryFactory(user=alex, content="Loves green tea")
    MemoryFactory(user=alex, content="Plays chess")
    child = LearnerProfileFactory(id="xiao-ming", name="Xiao Ming")
    LearnerProfileFactory(id="other-child", name="Other")
    word = MasteredWordFactory(profile=child, word="dinosaur")

    def found(model, query):
        response = admin_client.get(url(model, "changelist"), {"q": query})
        assert response.status_code == 200
        return [row.pk for row in response.context["cl"].result_list]

    # Big tables are searched on exact ids only (an indexed lookup, never a scan).
    assert found(CompanionProfile, "alex") == [alex.pk]
    assert found(CompanionProfile, "Alex") == []
    assert found(Memory, tea.pk) == [tea.pk]
    assert found(Memory, "green") == []
    assert sorted(found(Memory, "alex")) == sorted(
        Memory.objects.filter(user=alex).values_list("pk", flat=True)
    )
    assert found(LearnerProfile, "Xiao") == ["xiao-ming"]
    assert found(MasteredWord, "dinosaur") == [word.pk]
    assert found(Memory, "nothing-like-it") == []
