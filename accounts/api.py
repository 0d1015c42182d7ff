"""API pieces shared by the apps that serve account routes (PupMatch, YAGO)."""

from rest_framework import exceptions, status


class InvalidCredentials(exceptions.APIException):
    """401 with one message for a wrong email, a wrong password and a deactivated account."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Invalid email or password"
    default_code = "invalid_credentials"
