import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from config.db import is_postgresql
from memory.edgesoul.selectors import memory_search_queryset
from memory.models import CompanionProfile, ConversationContext, EmotionalPattern, Memory

PREFIX = "plan_"
HEAVY_USER = f"{PREFIX}heavy"
WORDS = (
    "tea coffee hiking music jazz work stress family sister brother dog cat garden cooking "
    "pasta running marathon book novel travel japan berlin beach mountain exam school nurse "
    "night shift birthday movie piano guitar football chess painting yoga sleep anxiety joy "
    "friend weekend holiday rain snow"
).split()


class Command(BaseCommand):
    help = (
        "PostgreSQL only: generate N memories (default 1,000,000) with generate_series, ANALYZE, "
        "then print EXPLAIN ANALYZE of the memory search query (the one the API runs) and its "
        "median time. One heavy user holds --heavy-share of the memories (like the original's "
        "`default` user), the rest are spread over --users users. Generated rows are removed "
        "afterwards unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--memories", type=int, default=1_000_000)
        parser.add_argument("--users", type=int, default=100_000)
        parser.add_argument("--heavy-share", type=float, default=0.2)
        parser.add_argument("--query", default="hiking mountain")
        parser.add_argument("--runs", type=int, default=25)
        parser.add_argument("--keep", action="store_true", help="keep the generated rows")
        parser.add_argument("--reuse", action="store_true", help="skip generation (kept rows)")

    def handle(self, *args, memories, users, heavy_share, query, runs, keep, reuse, **options):
        if not is_postgresql(connection):
            raise CommandError("needs PostgreSQL (DATABASE_URL=postgres://...)")
        if not reuse:
            self._generate(memories, users, heavy_share)
        total = Memory.objects.filter(id__startswith=PREFIX).count()
        self.stdout.write(f"generated memories: {total:,}")
        typical = f"{PREFIX}user_7"
        for user_id in (HEAVY_USER, typical):
            queryset = memory_search_queryset(user_id=user_id, query=query)[:5]
            self.stdout.write(f"\n== EXPLAIN ANALYZE: user {user_id}, query {query!r}")
            self.stdout.write(queryset.explain(analyze=True, buffers=True))
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                list(memory_search_queryset(user_id=user_id, query=query)[:5])
                timings.append((time.perf_counter() - started) * 1000)
            self.stdout.write(
                f"-- {runs} runs: median {statistics.median(timings):.2f} ms, "
                f"min {min(timings):.2f} ms, max {max(timings):.2f} ms"
            )
        if not keep:
            self._remove()

    def _generate(self, memories: int, users: int, heavy_share: float) -> None:
        heavy = int(memories * heavy_share)
        started = time.perf_counter()
        profiles, memory_table = CompanionProfile._meta.db_table, Memory._meta.db_table
        words = "ARRAY[" + ", ".join(f"'{word}'" for word in WORDS) + "]"
        # One pseudo-random word per salt: hashtext of salt + row number picks from WORDS.
        word = f"({words})[1 + (abs(hashtext('SALT' || i::text)) %% {len(WORDS)})]"
        content = " || ' ' || ".join(word.replace("SALT", salt) for salt in "abcd")
        context = " || ' ' || ".join(word.replace("SALT", salt) for salt in "efg")
        with transaction.atomic(), connection.cursor() as cursor:
            self._remove()
            cursor.execute(
                f"""
                INSERT INTO {profiles} (user_id, gender, empathy_level, humor_level,
                    formality_level, verbosity_level, proactiveness_level, preferred_tone,
                    response_style, emoji_usage, voice_enabled, voice_speed, voice_pitch,
                    auto_speak_responses, interests, dislikes, communication_patterns,
                    total_conversations, total_messages, avg_session_length, created_at,
                    updated_at)
                SELECT CASE WHEN i = 0 THEN %s ELSE %s || 'user_' || i END, 'not_set', 75, 50,
                    40, 60, 50, 'friendly', 'balanced', true, true, 1.0, 1.0, false, '[]',
                    '[]', '{{}}', 0, 0, 0.0, now(), now()
                FROM generate_series(0, %s) AS i
                """,
                [HEAVY_USER, PREFIX, users],
            )
            cursor.execute(
                f"""
                INSERT INTO {memory_table} (id, user_id, memory_type, content, context,
                    confidence, importance, created_at, last_accessed, access_count, metadata)
                SELECT %s || i,
                    CASE WHEN i <= %s THEN %s ELSE %s || 'user_' || (1 + i %% %s) END,
                    (ARRAY['preference', 'fact', 'pattern', 'conversation', 'emotional'])
                        [1 + i %% 5],
                    'User mentioned ' || {content},
                    CASE WHEN i %% 3 = 0 THEN NULL ELSE {context} END,
                    0.3 + (i %% 8) / 10.0, (i %% 11) / 10.0,
                    now() - (i %% 400) * interval '1 day', now(), 0, '{{}}'
                FROM generate_series(1, %s) AS i
                """,
                [PREFIX, heavy, HEAVY_USER, PREFIX, users, memories],
            )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {profiles}")
            cursor.execute(f"ANALYZE {memory_table}")
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")

    def _remove(self) -> None:
        # Plain SQL: the ORM would load 100k profiles to cascade and audit each row.
        with connection.cursor() as cursor:
            for model in (Memory, EmotionalPattern, ConversationContext, CompanionProfile):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE user_id LIKE %s", [f"{PREFIX}%"]
                )
