from django.db import transaction

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
