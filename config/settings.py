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
    "corsheaders",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "rest_framework_api_key",
    "axes",
    "huey.contrib.djhuey",
    "config",
    "accounts",
    "venues",
    "matching",
    "projects",
    "memory",
]

MIDDLEWARE = [
    # Outermost: the request id, one log line and the metrics of every answer, whoever gives it.
    "config.requestlog.RequestLogMiddleware",
    # Then: compresses the final body (JSON of GZIP_MIN_BYTES or more, to clients that accept
    # gzip); then ETag on every GET and 304 to a matching If-None-Match.
    "config.middleware.JSONGZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Then: HTTPS redirect and HSTS (SECURE_REDIRECT_EXEMPT keeps /healthz on plain HTTP),
    # then CORS, which answers preflight OPTIONS before any view or authentication runs.
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "config.middleware.CSPMiddleware",  # django-csp's, the policy built once per process
    "config.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database each read of the request uses (config/replicas.py); outside the write
    # transaction, so the WAL position it answers is after the commit.
    "config.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Admin login lockout, outside the write transaction: the failure that reaches the limit
    # is a 200 for the transaction (committed), then this middleware answers 429.
    "axes.middleware.AxesMiddleware",
    "config.middleware.WriteTransactionMiddleware",
    # auditlog's middleware, resolving the actor when an entry is written: after DRF has
    # authenticated the request (JWT users are unknown to Django's auth middleware).
    "config.audit.AuditlogMiddleware",
    # Innermost: the rendered answer no longer needs its DRF view; freeing it at once keeps a
    # worker's memory at its working size (config.middleware.ReleaseViewMiddleware).
    "config.middleware.ReleaseViewMiddleware",
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
    # run on SQLite (GeoDjango would need SpatiaLite there). config.postgresql is that backend
    # with a health check that needs no round trip (its docstring).
    _db["ENGINE"] = "config.postgresql"
    _db.setdefault("OPTIONS", {})
    # DATABASE_PGBOUNCER: DATABASE_URL points at PgBouncer in transaction mode, which refuses
    # start-up options (set jit on the role instead: README "Scaling out") and can't keep a
    # server-side cursor across transactions. Django already sends no prepared statements.
    DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
    if DATABASE_PGBOUNCER:
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # JIT compilation costs more than the short OLTP statements it would speed up.
        _db["OPTIONS"].setdefault("options", "-c jit=off")
        # Lets config/sql.py prepare its hot queries on the server (parsed and planned once
        # per connection); Django's own cursors bind client-side and never prepare.
        _db["OPTIONS"].setdefault("prepare_threshold", 5)
    _db.setdefault("TEST", {})["NAME"] = env("TEST_DATABASE_NAME", default=None)
# Persistent connections on both engines: a new SQLite connection per request re-runs the
# PRAGMAs and re-reads the schema (82 → 710 req/s on /luna/venues kept, issue 11); a health check
# at the start of each request replaces a connection that went away (PostgreSQL restart).
_db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
# DATABASE_POOL (PostgreSQL): psycopg's pool in each worker process (Django's OPTIONS["pool"]); a
# request borrows a connection and gives it back at its end, so CONN_MAX_AGE must be 0. The pool
# holds up to DATABASE_POOL_MAX_SIZE connections (one per gunicorn thread is enough) and a
# request waits DATABASE_POOL_TIMEOUT seconds for one. bench/POOLING.md measures both.
if _db["ENGINE"] == "config.postgresql" and env.bool("DATABASE_POOL", default=False):
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"]["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (config/replicas.py, config/routers.py): PostgreSQL streaming replicas of the
# primary, as `replica_1`, `replica_2`... Safe requests read from one that has replayed the
# client's last write and is at most REPLICA_MAX_LAG seconds behind; all else reads the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    if _db["ENGINE"] != "config.postgresql":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
    _replica = env.db_url_config(_url)
    _replica.update(
        ENGINE=_db["ENGINE"],
        CONN_MAX_AGE=_db["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        OPTIONS={
            **_db["OPTIONS"],
            # A replica that doesn't answer is skipped: don't keep the request waiting for it.
            "connect_timeout": env.int("REPLICA_CONNECT_TIMEOUT", default=2),
            **_replica.get("OPTIONS", {}),
        },
    )
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
REPLICA_MAX_LAG = env.float("REPLICA_MAX_LAG", default=5.0)
REPLICA_CHECK_INTERVAL = env.float("REPLICA_CHECK_INTERVAL", default=1.0)
REPLICA_RETRY_AFTER = env.float("REPLICA_RETRY_AFTER", default=5.0)

# CACHE_URL=redis://host:6379/0 makes the default cache shared by every worker and app server
# (Django's RedisCache); config/cache.py then keeps the hot shared reads there. Unset: each
# process caches in memory, and config/cache.py checks a version read from the database.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default=""))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer within a fraction of a second is treated as down
    # (config/cache.py answers from the database): never a request stuck on the cache.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_TIMEOUT_SECONDS", default=0.25),
        socket_timeout=env.float("CACHE_TIMEOUT_SECONDS", default=0.25),
    )
# JSON responses of at least this many bytes are gzipped for clients that accept it.
GZIP_MIN_BYTES = env.int("GZIP_MIN_BYTES", default=1024)
# Entries of config/cache.py live this long at most (seconds): a backstop only, every write
# that changes a cached read invalidates it explicitly.
CACHE_MAX_AGE = env.int("CACHE_MAX_AGE", default=3600)

# --- Rate limits, client address (config/throttling.py, config/clientip.py) ---------------
# Redis makes every throttle exact across workers and machines; without it the database
# counts (PostgreSQL: every throttle; SQLite: the sensitive scopes below, in a file of its own,
# the rest per process). See config/README.md "Rate limits".
THROTTLE_REDIS_URL = env("THROTTLE_REDIS_URL", default=env("REDIS_URL", default=""))
CACHES["throttle"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": THROTTLE_REDIS_URL,
        "KEY_PREFIX": env("THROTTLE_KEY_PREFIX", default="throttle"),
    }
    if THROTTLE_REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
)
# Where the database store counts: THROTTLE_DATABASE_URL, else the default database on a
# connection of its own (PostgreSQL) or a SQLite file beside the database file.
if env("THROTTLE_DATABASE_URL", default=""):
    THROTTLE_DATABASE = env.db("THROTTLE_DATABASE_URL")
    if "postg" in THROTTLE_DATABASE["ENGINE"]:  # postgres://, postgis:// (as DATABASE_URL)
        THROTTLE_DATABASE["ENGINE"] = "config.postgresql"
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _name = Path(str(_db["NAME"]))
    THROTTLE_DATABASE = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(_name.with_name(f"{_name.stem}-throttle.sqlite3")),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
        },
    }
else:
    THROTTLE_DATABASE = None
# Scopes that count in the database even on SQLite: every route a guesser or spammer uses.
THROTTLE_SENSITIVE_SCOPES = env.list(
    "THROTTLE_SENSITIVE_SCOPES",
    default=[
        "login_account",
        "password_reset_account",
        "pupmatch_auth",
        "pupmatch_upload",
        "pupmatch_message",
        "yago_auth",
    ],
)
# Our own proxies (IPs or CIDRs): the first X-Forwarded-For address left of them is the
# client. Without it (and without NUM_PROXIES) X-Forwarded-For is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Auth --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Django's own logins (the admin) go through django-axes first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT failures from one client address,
# or on one account from anywhere, further attempts get 429 for AXES_COOLOFF_MINUTES.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = env.list("AXES_LOCKOUT_PARAMETERS", default=["ip_address", "username"])
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_ip"  # the same address as the throttles
AXES_USERNAME_FORM_FIELD = "username"  # the admin login form's field (it holds the email)
AXES_USERNAME_CALLABLE = "config.clientip.login_username"
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# Seeded (`seed`) and generated (`generate_demo_data`) accounts get the documented demo password
# only when this (or the commands' --demo-accounts) asks; otherwise they cannot log in.
DEMO_ACCOUNTS = env.bool("DEMO_ACCOUNTS", default=False)

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
# S3 (django-storages) for uploaded files when STORAGE_URL=s3://bucket[/prefix][?endpoint_url=
# …&region_name=…] or AWS_STORAGE_BUCKET_NAME is set; keys from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY as boto3 reads them. Backups are then copied to <prefix>/backups/ too.
STORAGE_URL = env("STORAGE_URL", default="")
if STORAGE_URL.startswith("s3://") or env("AWS_STORAGE_BUCKET_NAME", default=""):
    from urllib.parse import parse_qsl, urlsplit

    _s3 = urlsplit(STORAGE_URL) if STORAGE_URL else urlsplit("s3://")
    _s3_query = dict(parse_qsl(_s3.query))
    _s3_options = {
        "bucket_name": _s3.netloc or env("AWS_STORAGE_BUCKET_NAME"),
        "location": _s3.path.strip("/"),
        "endpoint_url": _s3_query.get("endpoint_url")
        or (env("AWS_S3_ENDPOINT_URL", default="") or None),
        "region_name": _s3_query.get("region_name")
        or (env("AWS_S3_REGION_NAME", default="") or None),
        "querystring_auth": True,  # private objects, presigned URLs (matching/photos.py)
        "signature_version": "s3v4",  # presigned at a fixed time: one URL per window
        "default_acl": None,
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
    if env.bool("BACKUP_COPY_TO_STORAGE", default=True):
        STORAGES["backups"] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_options,
                "location": "/".join(filter(None, [_s3_options["location"], "backups"])),
            },
        }
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
# The consumer backs up on this cron schedule (UTC; default daily at 03:00), compresses and
# verifies each backup, keeps BACKUP_KEEP (newest per day for `daily` days, then per week for
# `weekly` weeks) and reports "overdue" in /healthz when the last verified backup is older than
# the last slot (plus BACKUP_GRACE_MINUTES) or the latest run failed.
BACKUP_SCHEDULE = env("BACKUP_SCHEDULE", default="") or "0 3 * * *"
BACKUP_KEEP = {
    key: int(value)
    for key, value in env.dict("BACKUP_KEEP", default={"daily": 7, "weekly": 4}).items()
}
BACKUP_GRACE_MINUTES = env.int("BACKUP_GRACE_MINUTES", default=60)
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Job queue (Huey) -----------------------------------------------------------------------
# HUEY_URL (or REDIS_URL) = redis://…: RedisHuey, consumers on any number of machines. Otherwise
# SqliteHuey on a file beside the SQLite database (or in the project folder with PostgreSQL):
# `make run` needs nothing else. Run the consumer with `manage.py run_huey`.
HUEY_URL = env("HUEY_URL", default="") or env("REDIS_URL", default="")
HUEY_NAME = env("HUEY_NAME", default="") or "backend"
# config.queue's classes are Huey's own plus the request id carried with each job.
if HUEY_URL.startswith(("redis://", "rediss://", "unix://")):
    HUEY = {"huey_class": "config.queue.RedisHuey", "url": HUEY_URL}
else:
    _huey_beside = (
        Path(_db["NAME"]).parent if _db["ENGINE"].endswith("sqlite3") and _db["NAME"] else BASE_DIR
    )
    HUEY = {
        "huey_class": "config.queue.SqliteHuey",
        "filename": env("HUEY_SQLITE_PATH", default="") or str(_huey_beside / "huey.sqlite3"),
    }
HUEY.update(
    {
        "name": HUEY_NAME,
        "immediate": env.bool("HUEY_IMMEDIATE", default=False),  # tests only: run at enqueue
        "utc": True,
        "consumer": {
            "workers": env.int("HUEY_WORKERS", default=2),
            "worker_type": "thread",
            # Off on every consumer but one: periodic tasks (backups, the stale-job check) are
            # scheduled by one consumer only (they also refuse to run twice for one slot).
            "periodic": env.bool("HUEY_PERIODIC", default=True),
            # Idle workers poll a SQLite queue every 0.1 s backing off to HUEY_MAX_DELAY
            # (Redis blocks on the queue instead): the worst enqueue-to-start latency.
            "initial_delay": 0.1,
            "backoff": 1.15,
            "max_delay": env.float("HUEY_MAX_DELAY", default=0.5),
            "check_worker_health": True,
            "health_check_interval": 5,
        },
    }
)

# --- REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    # orjson: several times faster than the stdlib encoder on large lists (e.g. all venues).
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.SafeORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSON parser plus depth, 64-bit integer and NUL limits (config/limits.py).
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Throttle classes are opt-in per view (ScopedRateThrottle with a scope below, or the
    # user/anon throttles); rates come from the environment so a deployment can tune them.
    "DEFAULT_THROTTLE_CLASSES": [],
    # How many proxies stand in front of the app (DRF's setting; config.clientip reads it too,
    # when TRUSTED_PROXIES is empty). 0: X-Forwarded-For is ignored.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="1000/minute"),
        "user": env("THROTTLE_USER", default="2000/minute"),
        # Per account, on top of the per-address scopes, shared by every app's auth routes.
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", default="10/hour"),
        "password_reset_account": env("THROTTLE_PASSWORD_RESET_ACCOUNT", default="3/hour"),
        **env.dict("THROTTLE_SCOPES", default={}),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_METADATA_CLASS": "config.metadata.BasicMetadata",
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Backend API",
    "DESCRIPTION": "Luna, PupMatch, YAGO, EdgeSoul and Learning on one database.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # `/api/docs/#/luna` opens one app's operations (the landing page links there).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    # EdgeSoul's memory type appears as `memory_type` and as `memory_types` items: one name.
    "ENUM_NAME_OVERRIDES": {"MemoryTypeEnum": "memory.models.MemoryType"},
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "AUTH_HEADER_TYPES": ("Bearer",),  # matched in any letter case (config.authentication)
    # Every token carries a fingerprint of the password hash; a new password revokes them all.
    "CHECK_REVOKE_TOKEN": True,
    "REVOKE_TOKEN_CLAIM": "pwd",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
}

# --- Security (production is DEBUG off behind a TLS-terminating proxy) -------------------
# Off by default so the embedded default (`make run`, plain HTTP on 127.0.0.1) works; the
# production .env in README "Deploying safely" turns every one on, and `check --deploy` warns
# about any left off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Load balancers and orchestrators probe over plain HTTP: no redirect for the health check.
# So is Prometheus, scraping each app server directly on the private network (/metrics).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# X-Forwarded-Proto says "https" only when our own proxy set it: a client reaching gunicorn
# directly could otherwise claim a secure connection (and get Secure cookies, skip redirects).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if TRUSTED_PROXIES or REST_FRAMEWORK["NUM_PROXIES"]
    else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# CORS (django-cors-headers): browser front ends on these origins may call the API mounts.
# Empty (the default) allows no other origin. Tokens travel in headers, never cookies, so
# credentials stay off.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(luna|pupmatch|yago|edgesoul|learning)/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "x-api-key",
    "x-request-id",
    "x-requested-with",
    "x-write-lsn",
)
# A browser client may read these: its request's id, and its write's position to send back
# (read-your-writes with replicas, config/replicas.py).
CORS_EXPOSE_HEADERS = ("x-request-id", "x-write-lsn")
CORS_PREFLIGHT_MAX_AGE = env.int("CORS_PREFLIGHT_MAX_AGE", default=86400)

# Content-Security-Policy (django-csp): everything from our own origin. The admin and the
# Swagger UI (drf-spectacular-sidecar assets from our static files; the split view serves its
# start-up script as a file) run no inline script. Inline *styles* stay allowed: the Swagger
# page and a few admin templates use them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logs and metrics (config/requestlog.py, config/metrics.py) ----------------------------
# json: one JSON object per line (python-json-logger), for log shippers; text: for people.
# Every line logged inside a request or a job carries its `request_id` (X-Request-ID).
LOG_FORMAT = env("LOG_FORMAT", default="") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text (got {LOG_FORMAT!r})")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "logging.Formatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            "defaults": {"request_id": "-"},
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes.apps": {"level": "WARNING"},  # its start-up banner on every manage.py command
        # The job consumer's own lines in the same format (run_huey then adds no handler).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# /metrics answers a scraper that sends `Authorization: Bearer <METRICS_TOKEN>` (and staff
# signed in to the admin); with no token set, nobody else: 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# A job consumer on a host of its own serves its job metrics here (host:port), same token.
CONSUMER_METRICS_BIND = env("CONSUMER_METRICS_BIND", default="")


# --- Access per mount (config/access.py) --------------------------------------------------
# open (anyone) | key (an application key in X-API-Key, made in the admin) | user (a JWT; data
# scoped to its account). `make run` writes `open` for all four into a new .env.
def _access(name: str, default: str) -> str:
    value = env(name, default=default)
    if value not in ("open", "key", "user"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be open, key or user (got {value!r})")
    return value


LUNA_ACCESS = _access("LUNA_ACCESS", "key")
EDGESOUL_ACCESS = _access("EDGESOUL_ACCESS", "key")
LEARNING_ACCESS = _access("LEARNING_ACCESS", "key")
YAGO_ACCESS = _access("YAGO_ACCESS", "user")

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
    # Location changes (profile POST/PATCH with latitude/longitude): few, so nobody can
    # trilaterate another dog by moving their own point around it.
    "pupmatch_location": "10/hour",
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
}
# Accounts imported from the original PupMatch database keep their plain bcrypt hashes
# (`bcrypt$...`); Django verifies them with this hasher and upgrades them on the next login.
PASSWORD_HASHERS = [*PASSWORD_HASHERS, "django.contrib.auth.hashers.BCryptPasswordHasher"]
# Folder holding the original server's uploads/photos/ files, for `import_legacy pupmatch`.
PUPMATCH_LEGACY_UPLOADS_DIR = env("PUPMATCH_LEGACY_UPLOADS_DIR", default=None)
# Discovery scores the nearest N eligible profiles (KNN on the GiST index on PostgreSQL).
PUPMATCH_DISCOVERY_POOL = env.int("PUPMATCH_DISCOVERY_POOL", default=500)
# Photo URLs are signed and valid until the end of the next window of this many seconds.
PHOTO_URL_TTL = env.int("PHOTO_URL_TTL", default=3600)

# YAGO (projects)
# Register and login per client address (per account on top: `login_account`).
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "yago_auth": "20/minute",
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
}
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
# Generated projects live in MEDIA_ROOT / YAGO_GENERATED_DIR / <project id>/, or with S3
# configured (STORAGE_URL) in the bucket under <prefix>/YAGO_GENERATED_DIR/<project id>/, where
# every app server sees them (projects/storage.py).
YAGO_GENERATED_DIR = env("YAGO_GENERATED_DIR", default="generated_projects")
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    _s3_default = STORAGES["default"]["OPTIONS"]
    STORAGES["generated_projects"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_default,
            "location": "/".join(
                filter(None, [_s3_default["location"], YAGO_GENERATED_DIR.strip("/")])
            ),
            "file_overwrite": True,  # a new generation replaces the file under the same name
        },
    }
# Model prices: the AIModel table (projects, fixtures/yago_catalogs.json), not settings.
# POST …/execute waits this long for the job (a sync worker is held meanwhile), then answers 202.
YAGO_EXECUTE_WAIT = env.float("YAGO_EXECUTE_WAIT", default=3.0)
# A running execution beats every YAGO_EXECUTION_HEARTBEAT seconds; one silent for
# YAGO_EXECUTION_STALE_AFTER seconds lost its worker and is paused (resumable).
YAGO_EXECUTION_HEARTBEAT = env.float("YAGO_EXECUTION_HEARTBEAT", default=15.0)
YAGO_EXECUTION_STALE_AFTER = env.float("YAGO_EXECUTION_STALE_AFTER", default=300.0)
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
AUDITLOG_MASK_TRACKING_FIELDS = ("password", "hashed_key")
# Written on every login / at most once a minute per application key: not edits.
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("last_login", "last_used_at")
AUDITLOG_STORE_JSON_CHANGES = True
# `manage.py prune_auditlog` deletes entries older than this many days (0 keeps them forever).
AUDITLOG_RETENTION_DAYS = env.int("AUDITLOG_RETENTION_DAYS", default=365)

# Admin: the index's dashboard charts are cached this long (seconds).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)

# Benchmarks measure endpoints, not rate limits: `make bench` sets this (never in production).
if env.bool("DISABLE_THROTTLES", default=False):
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(
        REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    )
