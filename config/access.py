"""Who may call each mount: one access policy per mount, chosen by a setting.

`LUNA_ACCESS`, `EDGESOUL_ACCESS`, `LEARNING_ACCESS` and `YAGO_ACCESS` are each one of

- `open`: anyone (the original apps' behaviour, for trusted networks and local trials);
- `key`: every request carries an application key in the `X-API-Key` header: an
  `ApplicationKey` (config/models.py) created in the admin, not revoked, not expired and
  opening that mount;
- `user`: every request carries a JWT (`Authorization: Bearer <token>`) and sees only its
  account's data. The per-object part of that lives in each app's selectors, which take the
  viewer and return nothing of others' (a forgotten check is a 404, never a leak).

Views pick their policy with one of the mixins at the end (`LunaAccess`, ...); services never
see the request.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from config.authentication import JWTAuthentication

OPEN, KEY, USER = "open", "key", "user"
MODES = (OPEN, KEY, USER)
KEY_HEADER = "X-API-Key"
# A key's last use is written at most this often (never once per request: reads stay reads).
LAST_USE_INTERVAL = timedelta(minutes=1)

KEY_REQUIRED = f"An application key is required: send it in the {KEY_HEADER} header."
KEY_INVALID = "Invalid, revoked or expired application key."
TOKEN_REQUIRED = "A token is required: send it as Authorization: Bearer <token>."
NOT_YOUR_USER_ID = "user_id must be your own user id."


@dataclass(frozen=True)
class Mount:
    name: str  # also the ApplicationKey flag that opens it
    setting: str
    path: str

    @property
    def mode(self) -> str:
        return getattr(settings, self.setting)

    @property
    def scoped_to_account(self) -> bool:
        """True in `user` mode: selectors return only the viewer's rows."""
        return self.mode == USER


LUNA = Mount("luna", "LUNA_ACCESS", "/luna/")
EDGESOUL = Mount("edgesoul", "EDGESOUL_ACCESS", "/edgesoul/")
LEARNING = Mount("learning", "LEARNING_ACCESS", "/learning/")
YAGO = Mount("yago", "YAGO_ACCESS", "/yago/")
MOUNTS = (LUNA, EDGESOUL, LEARNING, YAGO)


# --- Authentication ------------------------------------------------------------------------


def record_key_use(key) -> None:
    """Refresh the key's `last_used_at` when older than LAST_USE_INTERVAL.

    Never inside the request's transaction: after it commits (a rolled-back request records
    nothing; the next one will), or at once in autocommit (reads). One conditional UPDATE,
    so concurrent workers write it once.
    """
    from config.models import ApplicationKey

    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USE_INTERVAL:
        return

    def touch() -> None:
        ApplicationKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_INTERVAL)
        ).update(last_used_at=now)

    if connection.in_atomic_block:
        transaction.on_commit(touch, robust=True)
    else:
        touch()


class ApplicationKeyAuthentication(BaseAuthentication):
    """`X-API-Key: <prefix>.<secret>` → (AnonymousUser, ApplicationKey) for one mount.

    A missing header authenticates nobody (the permission then answers 401); an unknown,
    revoked or expired key is 401; a valid key that does not open this mount is 403.
    """

    def __init__(self, mount: Mount):
        self.mount = mount

    def authenticate(self, request):
        from config.models import ApplicationKey

        raw = request.META.get("HTTP_X_API_KEY")
        if not raw:
            return None
        key = ApplicationKey.objects.usable(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(KEY_INVALID)
        if not key.opens(self.mount.name):
            raise exceptions.PermissionDenied(
                f"This application key does not open {self.mount.path}."
            )
        record_key_use(key)
        # The audit log names the key as the actor of what this request writes.
        request._request.access_key_name = key.name
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return f'ApiKey header="{KEY_HEADER}"'


class ApplicationKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of `key` mode."""

    target_class = ApplicationKeyAuthentication
    name = "applicationKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "header", "name": KEY_HEADER}


# --- Permissions, one per policy -------------------------------------------------------------


# OPTIONS describes a route, never its data: answered without credentials (CORS preflights
# carry none).
class HasApplicationKey(permissions.BasePermission):
    """`key` mode: the request was authenticated by an application key."""

    message = KEY_REQUIRED

    def has_permission(self, request, view) -> bool:
        from config.models import ApplicationKey

        return request.method == "OPTIONS" or isinstance(request.auth, ApplicationKey)


class HasAccountToken(permissions.IsAuthenticated):
    """`user` mode: a signed-in account (JWT)."""

    message = TOKEN_REQUIRED

    def has_permission(self, request, view) -> bool:
        return request.method == "OPTIONS" or super().has_permission(request, view)


class ReadOrAccountToken(permissions.BasePermission):
    """`user` mode for public catalogues: anyone reads, writes need a signed-in account."""

    message = TOKEN_REQUIRED

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:  # GET, HEAD, OPTIONS
            return True
        return bool(request.user and request.user.is_authenticated)


# --- View mixins: one per mount (and per YAGO route kind) ------------------------------------


class MountAccess:
    """Chooses the view's authenticators and permissions from its mount's access setting."""

    access_mount: Mount
    public_read = False  # in `user` mode, reads need no account
    # What `open` mode authenticates (Luna, EdgeSoul and Learning: nobody, as the originals).
    open_authenticators: tuple = ()

    def get_authenticators(self):
        mode = self.access_mount.mode
        if mode == KEY:
            return [ApplicationKeyAuthentication(self.access_mount)]
        if mode == USER:
            return [JWTAuthentication(), *self._user_extra_authenticators()]
        return [authenticator() for authenticator in self.open_authenticators]

    def _user_extra_authenticators(self) -> list:
        return []

    def get_permissions(self):
        mode = self.access_mount.mode
        if mode == KEY:
            return [HasApplicationKey()]
        if mode == USER:
            return [ReadOrAccountToken() if self.public_read else HasAccountToken()]
        return [permissions.AllowAny()]

    def permission_denied(self, request, message=None, code=None):
        # DRF drops the permission's message when nobody authenticated: keep it (it says
        # what to send).
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(message)
        raise exceptions.PermissionDenied(message, code)


class LunaAccess(MountAccess):
    access_mount = LUNA


class EdgeSoulAccess(MountAccess):
    access_mount = EDGESOUL


class LearningAccess(MountAccess):
    access_mount = LEARNING


class YagoAccess(MountAccess):
    """YAGO routes with an owner's data: in `user` mode a JWT (or admin session) is required.

    In every mode a token or session, when sent, says who owns what the request creates.
    """

    access_mount = YAGO
    open_authenticators = (JWTAuthentication, SessionAuthentication)

    def _user_extra_authenticators(self) -> list:
        return [SessionAuthentication()]


class YagoPublicReadAccess(YagoAccess):
    """YAGO catalogue routes (templates, models...): readable without an account in `user`
    mode, writes still need one; `key` mode still needs a key."""

    public_read = True


class YagoPublicAccess(YagoAccess):
    """YAGO routes the front end calls before login (health, catalogues, model compare): any
    method without an account in `user` mode; `key` mode still needs a key."""

    def get_permissions(self):
        if self.access_mount.mode == USER:
            return [permissions.AllowAny()]
        return super().get_permissions()


class IsStaffAccount(permissions.BasePermission):
    """`user` mode, staff-only routes: a signed-in staff account."""

    def has_permission(self, request, view) -> bool:
        if request.method == "OPTIONS":
            return True
        user = request.user
        if not (user and user.is_authenticated):
            self.message = TOKEN_REQUIRED
            return False
        return user.is_staff


class YagoStaffAccess(YagoAccess):
    """YAGO routes that reveal the deployment (provider status): staff only in `user` mode."""

    def get_permissions(self):
        if self.access_mount.mode == USER:
            return [IsStaffAccount()]
        return super().get_permissions()


# --- Helpers for views in `user` mode --------------------------------------------------------


def account(request):
    """The signed-in account, or None (anonymous, or authenticated by a key)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def check_body_user_id(*, claimed: str, own: str | None) -> None:
    """A `user_id` in a request body must be the caller's own: 403 otherwise."""
    if own is None or claimed != own:
        raise exceptions.PermissionDenied(NOT_YOUR_USER_ID)


# --- System check --------------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_open_mounts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` warns for every mount left `open` with DEBUG off."""
    if settings.DEBUG:
        return []
    return [
        checks.Warning(
            f"{mount.setting} is 'open': anyone who can reach {mount.path} reads and changes "
            "all of its data.",
            hint=f"Set {mount.setting}=key (application keys made in the admin) or "
            f"{mount.setting}=user (JWT, data scoped to its account); keep 'open' only on a "
            "trusted network.",
            id=f"platform.W{index:03d}",
        )
        for index, mount in enumerate(MOUNTS, start=1)
        if mount.mode == OPEN
    ]
