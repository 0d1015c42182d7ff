"""JWT authentication shared by every app that has accounts (PupMatch, YAGO).

simplejwt's own class, with two changes of policy:

- the scheme is matched case-insensitively (RFC 7235: auth schemes are case-insensitive), so
  `Authorization: bearer <token>` works, as the `token_type: "bearer"` that login returns says;
- a token issued before the user's last password change or reset is refused. Every token
  carries a fingerprint of the user's password hash (simplejwt's `CHECK_REVOKE_TOKEN`, claim
  `REVOKE_TOKEN_CLAIM` in settings), compared with the user row that simplejwt loads anyway:
  no extra query. Any new password (reset, change, admin, `changepassword`) changes the
  salted hash, so every earlier token stops working at once.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.settings import api_settings

# Schemes accepted, lower-cased: settings.SIMPLE_JWT["AUTH_HEADER_TYPES"].
_SCHEMES = frozenset(scheme.lower().encode() for scheme in api_settings.AUTH_HEADER_TYPES)


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer JWT, scheme in any letter case; tokens older than the password are refused."""

    def get_raw_token(self, header: bytes) -> bytes | None:
        parts = header.split()
        if parts and parts[0].lower() in _SCHEMES:
            # Hand simplejwt the canonical spelling: it keeps its own checks (two parts, ...).
            header = b" ".join([api_settings.AUTH_HEADER_TYPES[0].encode(), *parts[1:]])
        return super().get_raw_token(header)


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the class above (simplejwt's, `jwtAuth`)."""

    target_class = "config.authentication.JWTAuthentication"
