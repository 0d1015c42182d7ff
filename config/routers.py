"""Database router: reads of safe requests on a serving replica, everything else on the primary.

The decision per request lives in config/replicas.py; this router only applies it, and keeps on
the primary the reads that write or must never be stale.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from config import replicas

# Read on the primary even in a safe request: state that decides who may do what right now.
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions",  # a login or logout is seen by the very next request
        "axes",  # admin login lockouts
        "rest_framework_api_key",
        "django_cache",  # DatabaseCache's table (CACHE_URL=dbcache://…): written on reads
        "admin",
        "auditlog",
    }
)
PRIMARY_ONLY_MODELS = frozenset(
    {
        "platform.applicationkey",  # a revoked key is refused at once
        settings.AUTH_USER_MODEL.lower(),  # a new password revokes JWTs at once; deactivation too
    }
)


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS


def _ours(hints: dict) -> bool:
    """False for an instance of another database (backups, transfers): Django decides then."""
    instance = hints.get("instance")
    if instance is None or instance._state.db is None:
        return True
    return instance._state.db == DEFAULT_DB_ALIAS or instance._state.db in settings.DATABASE_REPLICAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not settings.DATABASE_REPLICAS or not _ours(hints):
            return None
        if _primary_only(model):
            return DEFAULT_DB_ALIAS
        return replicas.alias_for_read()

    def db_for_write(self, model, **hints):
        if not settings.DATABASE_REPLICAS or not _ours(hints):
            return None
        replicas.note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A row read from a replica is the primary's row: it may be related to one read there.
        ours = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in settings.DATABASE_REPLICAS:
            return False  # read-only copies of the primary: replication brings its schema
        return None
