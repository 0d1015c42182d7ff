"""Limit/offset pagination with both parameters bounded (the default for every list view).

DRF leaves `limit` unbounded without `max_limit` and never bounds `offset`: a value beyond 64
bits overflows the database driver (a 500). Here `limit` is capped at MAX_PAGE_SIZE (DRF's
documented clamping) and an `offset` beyond MAX_OFFSET is a 400 naming the parameter.
"""

from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from config.limits import MAX_OFFSET, MAX_PAGE_SIZE


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE

    def get_offset(self, request):
        try:
            offset = int(request.query_params.get(self.offset_query_param, "0"))
        except ValueError:
            offset = 0  # DRF's behaviour: an offset that is not a number counts as 0
        if offset > MAX_OFFSET:
            raise serializers.ValidationError(
                {self.offset_query_param: [f"Ensure this value is less than or equal to {MAX_OFFSET}."]}
            )
        return super().get_offset(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def bounded_page_size_parameters(paginator, parameters: list[dict]) -> list[dict]:
    """A cursor paginator's `page_size_query_param`, documented with its bounds."""
    for parameter in parameters:
        if parameter["name"] == paginator.page_size_query_param:
            parameter["schema"].update({"minimum": 1, "maximum": paginator.max_page_size})
    return parameters
