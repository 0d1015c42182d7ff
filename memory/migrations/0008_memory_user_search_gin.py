"""Memory search reads one user's matches from one index (PostgreSQL only).

Every search filters `user_id`: a GIN index over (user_id, search_vector) (btree_gin's GIN
operator class for the varchar column) gives the bitmap of the user's matching rows alone,
instead of every user's matches filtered on the heap (a common word of a user with 200k
memories read the other users' rows too). It replaces the index on search_vector alone, which
no query uses without user_id. SQLite skips both operations.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

import config.db


class Migration(migrations.Migration):
    dependencies = [("memory", "0007_memory_search_vector")]

    operations = [
        BtreeGinExtension(),
        config.db.PostgresOnlySQL(
            sql=(
                "CREATE INDEX memory_mem_user_search_gin ON memory_memory "
                "USING gin (user_id, search_vector); "
                "DROP INDEX IF EXISTS memory_mem_search_vector_gin"
            ),
            reverse_sql=(
                "CREATE INDEX memory_mem_search_vector_gin ON memory_memory "
                "USING gin (search_vector); "
                "DROP INDEX IF EXISTS memory_mem_user_search_gin"
            ),
        ),
    ]
