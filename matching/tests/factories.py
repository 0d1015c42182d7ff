import factory
from django.contrib.auth import get_user_model

from matching.models import (
    Conversation,
    Like,
    Match,
    Message,
    Pass,
    Photo,
    Playground,
    PlaygroundFavourite,
    Preferences,
    Profile,
    Prompt,
)

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"owner{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Dog {n}")
    age = 3
    bio = ""
    # Times Square
    latitude = 40.7580
    longitude = -73.9855


class PreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preferences

    profile = factory.SubFactory(ProfileFactory)


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt

    profile = factory.SubFactory(ProfileFactory)
    question = "Favourite toy?"
    answer = "The squeaky duck"
    order = factory.Sequence(int)


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    profile = factory.SubFactory(ProfileFactory)
    image = factory.django.FileField(filename="dog.jpg", data=b"not read in factories")
    order = factory.Sequence(int)


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    target = factory.SubFactory(UserFactory)


class PassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pass

    user = factory.SubFactory(UserFactory)
    target = factory.SubFactory(UserFactory)


class PlaygroundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playground

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Dog Run {n}")
    description = "Fenced, with water"
    latitude = 40.7812
    longitude = -73.9665


class FavouriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaygroundFavourite

    user = factory.SubFactory(UserFactory)
    playground = factory.SubFactory(PlaygroundFactory)


def make_match(profile_a: Profile, profile_b: Profile) -> Match:
    """Two profiles that liked each other: likes, match and conversation."""
    Like.objects.create(user=profile_a.user, target=profile_b.user)
    Like.objects.create(user=profile_b.user, target=profile_a.user)
    user1, user2 = sorted([profile_a.user, profile_b.user], key=lambda user: user.pk)
    match = Match.objects.create(user1=user1, user2=user2)
    Conversation.objects.create(match=match, user1=user1, user2=user2)
    return match


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    content = factory.Sequence(lambda n: f"Woof {n}")
