"""JWT authentication shared by every mount (the `throttle` branch adds token-version checks)."""

from rest_framework_simplejwt import authentication


class JWTAuthentication(authentication.JWTAuthentication):
    pass
