"""JWT authentication shared by every app that has accounts (PupMatch, YAGO).

simplejwt's own class, with two changes of policy:

- the scheme is matched case-insensitively (RFC 7235: auth schemes are case-insensitive), so
  `Authorization: bearer <token>` works, as the `token_type: "bearer"` that login returns says;
- a token issued before the user's last password change or reset is refused. Every token
  carries a fingerprint of the user's password hash (simplejwt's `CHECK_REVOKE_TOKEN`, claim
  `REVOKE_TOKEN_CLAIM` in settings), compared with the user row that simplejwt loads anyway:
  no extra query. Any new password (reset, change, admin, `changepassword`) changes the
  salted hash, so every earlier token stops working at once.

The user row is read with a statement compiled once per process (config/sql.py): the ORM's
`get()` spent more building and compiling its query than running it (`GET /pupmatch/auth/me`:
4.00M → 3.16M instructions on PostgreSQL, bench/RESULTS-instructions.md).
"""

import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import Value
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.settings import api_settings

from config.sql import Prepared

# Schemes accepted, lower-cased: settings.SIMPLE_JWT["AUTH_HEADER_TYPES"].
_SCHEMES = frozenset(scheme.lower().encode() for scheme in api_settings.AUTH_HEADER_TYPES)

User = get_user_model()
if api_settings.USER_ID_FIELD != User._meta.pk.attname:
    # _UserLookup reads the user by primary key, as a UUID.
    raise ImproperlyConfigured("SIMPLE_JWT['USER_ID_FIELD'] must be the user's primary key")
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
# Value(): the id reaches the SQL as given (Prepared passes a UUID in the column's form).
_USER_ROW = Prepared(
    lambda user_id: User.objects.filter(pk=Value(user_id)).values_list(*_USER_FIELDS)
)


class _UserLookup:
    """Stands in for simplejwt's `user_model` in its get_user, which calls only
    `user_model.objects.get(id=...)` and `user_model.DoesNotExist`: the row read by _USER_ROW."""

    DoesNotExist = User.DoesNotExist

    @property
    def objects(self):
        return self

    def get(self, **lookup):
        (user_id,) = lookup.values()
        try:
            user_id = uuid.UUID(str(user_id))
        except ValueError:
            raise self.DoesNotExist from None
        rows = _USER_ROW.rows(user_id)
        if not rows:
            raise self.DoesNotExist
        return User.from_db(router.db_for_read(User), _USER_FIELDS, rows[0])


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer JWT, scheme in any letter case; tokens older than the password are refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # simplejwt's checks (user not found, inactive, revoked) unchanged.
        self.user_model = _UserLookup()

    def get_raw_token(self, header: bytes) -> bytes | None:
        parts = header.split()
        if parts and parts[0].lower() in _SCHEMES:
            # Hand simplejwt the canonical spelling: it keeps its own checks (two parts, ...).
            header = b" ".join([api_settings.AUTH_HEADER_TYPES[0].encode(), *parts[1:]])
        return super().get_raw_token(header)


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the class above (simplejwt's, `jwtAuth`)."""

    target_class = "config.authentication.JWTAuthentication"
