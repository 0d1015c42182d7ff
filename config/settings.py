"""Settings for the whole monolith, read from the environment (and `.env` when present).

SQLite in the project folder is the embedded default; a `postgres://` or `postgis://`
DATABASE_URL selects PostgreSQL (with PostGIS) for production.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and not env.bool("ALLOW_INSECURE_SECRET_KEY", default=False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. `make run` writes one into .env; "
            "set it in the environment for any other deployment."
        )
    SECRET_KEY = "insecure-development-key-not-for-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "config",
    "accounts",
    "venues",
    "matching",
    "projects",
    "memory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.WriteTransactionMiddleware",
    # auditlog's middleware, resolving the actor when an entry is written: after DRF has
    # authenticated the request (JWT users are unknown to Django's auth middleware).
    "config.audit.AuditlogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Databases ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] in ("django.db.backends.sqlite3", "django.contrib.gis.db.backends.spatialite"):
    _db["ENGINE"] = "django.db.backends.sqlite3"
    _db["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE makes writers queue for
        # the lock at BEGIN instead of failing with "database is locked" halfway through.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT", default=20),
        **_db.get("OPTIONS", {}),
    }
else:
    # postgres:// and postgis:// both use the plain psycopg 3 backend: PostGIS columns and
    # indexes are created by migrations and queried in config.geo, so the same models also
    # run on SQLite (GeoDjango would need SpatiaLite there).
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    # JIT compilation costs more than the short OLTP statements it would speed up.
    _db.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    _db.setdefault("TEST", {})["NAME"] = env("TEST_DATABASE_NAME", default=None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Auth --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# --- Internationalisation, static and media files -----------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env(
            "DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    # orjson: several times faster than the stdlib encoder on large lists (e.g. all venues).
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Throttle classes are opt-in per view (ScopedRateThrottle with a scope below, or the
    # user/anon throttles); rates come from the environment so a deployment can tune them.
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="1000/minute"),
        "user": env("THROTTLE_USER", default="2000/minute"),
        **env.dict("THROTTLE_SCOPES", default={}),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Backend API",
    "DESCRIPTION": "Luna, PupMatch, YAGO, EdgeSoul and Learning on one database.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # EdgeSoul's memory type appears as `memory_type` and as `memory_types` items: one name.
    "ENUM_NAME_OVERRIDES": {"MemoryTypeEnum": "memory.models.MemoryType"},
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
}

# --- Security (production is DEBUG off behind a TLS-terminating proxy) -------------------
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- App settings: one block per app, each owned by its app ------------------------------
# Luna (venues)

# PupMatch (matching)
# Per-endpoint throttle scopes (ScopedRateThrottle, counted per user, or per IP when anonymous);
# THROTTLE_SCOPES in the environment overrides any of them.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "pupmatch": "600/minute",
    "pupmatch_auth": "20/minute",
    "pupmatch_discover": "120/minute",
    "pupmatch_like": "120/minute",
    "pupmatch_message": "60/minute",
    "pupmatch_upload": "30/minute",
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
}
# Accounts imported from the original PupMatch database keep their plain bcrypt hashes
# (`bcrypt$...`); Django verifies them with this hasher and upgrades them on the next login.
PASSWORD_HASHERS = [*PASSWORD_HASHERS, "django.contrib.auth.hashers.BCryptPasswordHasher"]
# Folder holding the original server's uploads/photos/ files, for `import_legacy pupmatch`.
PUPMATCH_LEGACY_UPLOADS_DIR = env("PUPMATCH_LEGACY_UPLOADS_DIR", default=None)
# Discovery scores the nearest N eligible profiles (KNN on the GiST index on PostgreSQL).
PUPMATCH_DISCOVERY_POOL = env.int("PUPMATCH_DISCOVERY_POOL", default=500)

# YAGO (projects)
# Off by default (the v8.1 front end sends no token); on: JWT required, users see their own projects.
YAGO_REQUIRE_AUTH = env.bool("YAGO_REQUIRE_AUTH", default=False)
# Code-generation provider: offline (no network, the default) | openai | anthropic | auto
# (auto picks by the project's primary_model: gpt-*/o* → openai, claude-* → anthropic, else offline).
YAGO_PROVIDER = env("YAGO_PROVIDER", default="offline")
YAGO_OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
YAGO_OPENAI_BASE_URL = env("OPENAI_BASE_URL", default=None)
YAGO_OPENAI_MODEL = env("YAGO_OPENAI_MODEL", default="gpt-4o-mini")
YAGO_ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", default="")
YAGO_ANTHROPIC_BASE_URL = env("ANTHROPIC_BASE_URL", default=None)
YAGO_ANTHROPIC_MODEL = env("YAGO_ANTHROPIC_MODEL", default="claude-sonnet-5")
YAGO_PROVIDER_TIMEOUT = env.float("YAGO_PROVIDER_TIMEOUT", default=120.0)
YAGO_PROVIDER_MAX_RETRIES = env.int("YAGO_PROVIDER_MAX_RETRIES", default=2)
# Generated projects live in MEDIA_ROOT / YAGO_GENERATED_DIR / <project id>/.
YAGO_GENERATED_DIR = env("YAGO_GENERATED_DIR", default="generated_projects")
# USD per million tokens (input, output); "default" prices models not listed.
YAGO_MODEL_PRICES = {
    "offline": (0.0, 0.0),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "claude-sonnet-5": (3.00, 15.00),
    "claude-opus-5": (15.00, 75.00),
    "claude-haiku-5": (1.00, 5.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-opus": (15.00, 75.00),
    "claude-3-haiku": (0.25, 1.25),
    "gemini-1.5-pro": (1.25, 5.00),
    "default": (3.00, 15.00),
}
YAGO_BUDGET_ALERT_RATIO = env.float("YAGO_BUDGET_ALERT_RATIO", default=1.2)
YAGO_WEEKLY_COST_LIMIT = env.float("YAGO_WEEKLY_COST_LIMIT", default=100.0)
YAGO_WEEKLY_COST_WARNING = env.float("YAGO_WEEKLY_COST_WARNING", default=50.0)

# EdgeSoul and Learning (memory)

# Data safety: audit log, backups (platform)
# Every model of every app is audited, so apps added later are covered without a change here.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "contenttypes",
    "admin",
    "auditlog",
    "auth.permission",  # rewritten by every migrate; not data anyone edits
)
AUDITLOG_MASK_TRACKING_FIELDS = ("password",)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("last_login",)  # written on every login, not an edit
AUDITLOG_STORE_JSON_CHANGES = True
# `manage.py prune_auditlog` deletes entries older than this many days (0 keeps them forever).
AUDITLOG_RETENTION_DAYS = env.int("AUDITLOG_RETENTION_DAYS", default=365)

# Admin: the index's dashboard charts are cached this long (seconds).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)

# Benchmarks measure endpoints, not rate limits: `make bench` sets this (never in production).
if env.bool("DISABLE_THROTTLES", default=False):
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
