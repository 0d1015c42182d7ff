"""The objects in Luna's responses, declared once.

Each shape gives the OpenAPI serializer (`shape.serializer`, named `<name>Serializer` as before),
the columns a selector reads with `values()` (`shape.names`) and the response dict built from a
model instance or any object with those attributes (`shape.of(obj, **computed)`). Responses stay
plain dicts (no serializer runs per request); the key order is the declaration order.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any

from rest_framework import serializers

from venues.models import ActionItem

FieldFactory = Callable[[], serializers.Field]


class Shape:
    # Positional-only: `name` is also a field of several shapes.
    def __init__(self, title: str, /, *bases: "Shape", **fields: FieldFactory) -> None:
        self.title = title
        self.fields: dict[str, FieldFactory] = {}
        for base in bases:
            self.fields.update(base.fields)
        self.fields.update(fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.fields)

    def of(self, obj: Any, **computed: Any) -> dict:
        """The response object: each field read from `obj`'s attribute of that name, unless given."""
        return {
            name: computed[name] if name in computed else getattr(obj, name)
            for name in self.fields
        }

    @cached_property
    def serializer(self) -> type[serializers.Serializer]:
        attributes = {name: make() for name, make in self.fields.items()}
        return type(f"{self.title}Serializer", (serializers.Serializer,), attributes)


def _strings() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField())


Char, Url, Int, Float, Bool = (
    serializers.CharField,
    serializers.URLField,
    serializers.IntegerField,
    serializers.FloatField,
    serializers.BooleanField,
)

VENUE_SUMMARY = Shape(
    "LunaVenueSummary", id=Char, name=Char, category=Char, image=Url, interested_count=Int
)
VENUE = Shape(
    "LunaVenue", id=Char, name=Char, category=Char, description=Char, image=Url, address=Char
)
VENUE_WITH_COUNT = Shape("LunaVenueWithCount", VENUE, interested_count=Int)
NEARBY_VENUE = Shape(
    "LunaNearbyVenue", VENUE_WITH_COUNT, latitude=Float, longitude=Float, distance_km=Float
)
MEMBER = Shape("LunaMember", id=Char, name=Char, avatar=Url)
USER = Shape("LunaUser", MEMBER, bio=Char, interests=_strings)
ACTION_ITEM = Shape(
    "LunaActionItem",
    id=Char,
    venue_id=Char,
    interested_user_ids=_strings,
    action_type=lambda: serializers.ChoiceField(choices=ActionItem.ActionType.choices),
    action_code=Char,
    description=Char,
    threshold_met=Bool,
    status=lambda: serializers.ChoiceField(choices=ActionItem.Status.choices),
    created_at=serializers.DateTimeField,
    venue=lambda: VENUE.serializer(),
)
CREATED_ACTION_ITEM = Shape(
    "LunaCreatedActionItem",
    action_item_created=Bool,
    action_item_id=Char,
    description=Char,
    action_code=Char,
    interested_user_ids=_strings,
)
TOGGLE = Shape(
    "LunaToggle",
    success=Bool,
    message=Char,
    action_item=lambda: CREATED_ACTION_ITEM.serializer(allow_null=True),
)
RECOMMENDATION = Shape(
    "LunaRecommendation",
    venue=lambda: VENUE_WITH_COUNT.serializer(),
    score=Float,
    reason=Char,
    already_interested=Bool,
    friends_interested=Int,
    total_interested=Int,
)
SUCCESS = Shape("LunaSuccess", success=Bool, message=Char)
