import factory
from django.utils import timezone

from venues.models import Friendship, Interest, Member, MemberCategory, Venue


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    id = factory.Sequence(lambda n: f"member_{n:05d}")
    name = factory.Sequence(lambda n: f"Member {n}")
    avatar = factory.Sequence(lambda n: f"https://i.pravatar.cc/150?img={n}")
    bio = "Likes going out"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    id = factory.Sequence(lambda n: f"place_{n:05d}")
    position = factory.Sequence(lambda n: n + 1000)  # after the seed's 1..12
    name = factory.Sequence(lambda n: f"Venue {n}")
    category = "Cultural"
    description = "A place in the city"
    image = factory.Sequence(lambda n: f"https://example.com/venue/{n}.jpg")
    address = factory.Sequence(lambda n: f"{n} Broadway, NYC")
    latitude = 40.74
    longitude = -73.99


class InterestFactory(factory.django.DjangoModelFactory):
    """An interest row that also keeps the venue's interested_count, as the toggle does."""

    class Meta:
        model = Interest

    member = factory.SubFactory(MemberFactory)
    venue = factory.SubFactory(VenueFactory)
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        interest = super()._create(model_class, *args, **kwargs)
        Venue.objects.filter(pk=interest.venue_id).update(
            interested_count=Interest.objects.filter(venue_id=interest.venue_id).count()
        )
        return interest


class MemberCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberCategory

    member = factory.SubFactory(MemberFactory)
    category = "food"


def befriend(a: Member, b: Member) -> Friendship:
    first, second = sorted((a, b), key=lambda m: m.pk)
    return Friendship.objects.create(member=first, friend=second)
