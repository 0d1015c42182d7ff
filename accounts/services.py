"""Account writes shared by every app with accounts: register, log in, issue a token, reset.

PupMatch's `/pupmatch/auth/*` and YAGO's `/yago/api/v1/auth/*` routes call these; each app
passes its name for the log lines and the reset e-mail.
"""

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import ValidationError
from rest_framework_simplejwt.tokens import AccessToken

from config.api import Conflict

logger = logging.getLogger("accounts.auth")

# The documented password of demo accounts (README.md, matching/README.md). Seeded and generated
# accounts get it only when asked (`--demo-accounts` or DEMO_ACCOUNTS=true); else no password.
DEMO_PASSWORD = "pupmatch-demo"

User = get_user_model()


class Unauthorized(Exception):
    """Wrong email or password, or a deactivated account (one message for all: 401)."""


@transaction.atomic
def user_register(*, email: str, password: str) -> Any:
    """Create an account; 409 when the email exists in any letter case."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("Email already registered")
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password)
    except IntegrityError as error:  # a concurrent registration won the race
        raise Conflict("Email already registered") from error


def user_authenticate(
    *, email: str, password: str, client_ip: str | None = None, app: str = "pupmatch"
) -> Any:
    """Check credentials; logs every attempt and failure (never the password).

    A deactivated account is refused like a wrong password, even with the right one.
    """
    email = User.objects.normalize_email(email)
    logger.info("%s login attempt email=%s ip=%s", app, email, client_ip)
    user = User.objects.filter(email=email).first()
    if user is None:
        # Hash anyway so a missing account takes as long as a wrong password.
        User().set_password(password)
        logger.warning("%s login failed email=%s ip=%s reason=unknown_email", app, email, client_ip)
        raise Unauthorized
    if not user.check_password(password) or not user.is_active:
        reason = "wrong_password" if user.is_active else "inactive"
        logger.warning("%s login failed email=%s ip=%s reason=%s", app, email, client_ip, reason)
        raise Unauthorized
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    logger.info("%s login succeeded email=%s ip=%s", app, email, client_ip)
    return user


def access_token_create(*, user: Any) -> dict[str, Any]:
    """A bearer JWT for `user` (`sub` = id; revoked by the next password change)."""
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return {
        "access_token": str(AccessToken.for_user(user)),
        "token_type": "bearer",
        "expires_in": int(lifetime.total_seconds()),
    }


def password_reset_request(*, email: str, reset_url: str, app_name: str = "PupMatch") -> None:
    """E-mail a reset link to an active account; silent otherwise (the route always says 204)."""
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        logger.info("%s password reset requested for unknown email=%s", app_name.lower(), email)
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{reset_url}?uid={uid}&token={token}"
    send_mail(
        subject=f"Reset your {app_name} password",
        message=(
            f"Someone asked to reset the password of your {app_name} account.\n"
            f"Open this link to choose a new one: {link}\n"
            f"Or send uid={uid} and token={token} to the app.\n"
            "If it was not you, ignore this email."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    logger.info("%s password reset email sent email=%s", app_name.lower(), user.email)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Set the new password when the token is valid for that user; 400 otherwise.

    The new password hash revokes every token issued before (config.authentication).
    """
    try:
        user = User.objects.get(pk=uuid.UUID(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": ["Invalid or expired reset token"]})
    user.set_password(new_password)
    user.save(update_fields=["password"])


def demo_password_hash(*, demo_accounts: bool) -> str:
    """The stored password for generated accounts: the demo password's hash, or unusable."""
    return make_password(DEMO_PASSWORD if demo_accounts else None)


def demo_accounts_enable(*, user_ids: list[Any]) -> int:
    """Give these accounts the documented demo password; returns how many were changed."""
    return User.objects.filter(pk__in=user_ids).update(
        password=demo_password_hash(demo_accounts=True)
    )
