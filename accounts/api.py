"""API pieces shared by the apps that serve account routes (PupMatch, YAGO)."""

from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts import services as accounts
from accounts.serializers import LoginSerializer
from config.clientip import client_ip


class InvalidCredentials(exceptions.APIException):
    """401 with one message for a wrong email, a wrong password and a deactivated account."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Invalid email or password"
    default_code = "invalid_credentials"


def login_response(request, *, app: str) -> Response:
    """The login route of an app with accounts: validate, authenticate, answer the token."""
    serializer = LoginSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        user = accounts.user_authenticate(
            **serializer.validated_data, client_ip=client_ip(request), app=app
        )
    except accounts.Unauthorized as error:
        raise InvalidCredentials() from error
    return Response(accounts.access_token_create(user=user))
