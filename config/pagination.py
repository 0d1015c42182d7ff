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
