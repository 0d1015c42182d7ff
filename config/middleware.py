from django.db import transaction
from django.http import JsonResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class WriteTransactionMiddleware:
    """One transaction per write request: committed on success, rolled back on any 4xx/5xx.

    Reads stay outside a transaction so that, on SQLite, they never queue behind the
    IMMEDIATE write lock.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


class RejectNulCharactersMiddleware:
    """400 for a NUL character in the path or the query string, on both engines alike.

    PostgreSQL refuses NUL in any text value (a 500 from the driver when a path or query
    parameter reaches a filter); SQLite would store it. Request bodies are checked by the
    serializers (DRF's CharField) and by config.parsers.SafeJSONParser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return JsonResponse(
                {"detail": "Null characters are not allowed in the URL."}, status=400
            )
        return self.get_response(request)
