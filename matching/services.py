"""PupMatch writes. Every service is keyword-only, typed and atomic; views only call these."""

import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import router, transaction
from django.db.models import Count, Exists, Max, Q, Value
from django.utils import timezone
from PIL import Image, UnidentifiedImageError
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from config.api import Conflict
from config.audit import audit_actor
from config.geo import validate_point
from config.jobs import enqueue_on_commit
from config.limits import MAX_IMAGE_PIXELS
from config.sql import Prepared
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
    photo_upload_to,
)
from matching.photos import make_thumbnail

MAX_PHOTOS = 6
MIN_PHOTOS = 2
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Pillow format name → file extension; anything else is refused.
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


# --- Accounts ---------------------------------------------------------------------------------
# Register, login, tokens and password reset are accounts.services (shared with YAGO).


@transaction.atomic
def user_delete(*, user: Any) -> None:
    """Delete the account and everything of the user's, photo files included (after commit)."""
    names = [
        name
        for pair in Photo.objects.filter(profile__user=user).values_list("image", "thumbnail")
        for name in pair
        if name
    ]
    # The audit entries of this deletion cannot name the user being deleted as their actor
    # (the foreign key would dangle): a named actor records who it was instead.
    with audit_actor("account-deletion", keep_user=False, user_id=str(user.pk), email=user.email):
        user.delete()
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- Profiles --------------------------------------------------------------------------------


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"location": ["Send both latitude and longitude"]})
    if latitude is not None:
        try:
            validate_point(latitude, longitude)
        except ValueError as error:
            field = "latitude" if "latitude" in str(error) else "longitude"
            raise ValidationError({field: [str(error)]}) from error


def _replace_prompts(profile: Profile, prompts: list[dict]) -> None:
    profile.prompts.all().delete()
    Prompt.objects.bulk_create(
        Prompt(
            profile=profile,
            question=prompt["question"],
            answer=prompt["answer"],
            order=prompt.get("order", index),
        )
        for index, prompt in enumerate(prompts)
    )


def _apply_preferences(profile: Profile, values: dict) -> None:
    preferences, _ = Preferences.objects.get_or_create(profile=profile)
    for key, value in values.items():
        setattr(preferences, key, value)
    if preferences.min_age > preferences.max_age:
        raise ValidationError({"preferences.min_age": ["min_age must not exceed max_age"]})
    preferences.save()


@transaction.atomic
def profile_create(
    *,
    user: Any,
    name: str,
    age: int,
    bio: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    prompts: list[dict] | None = None,
    preferences: dict | None = None,
) -> Profile:
    """Create the user's dog profile with its prompts and preferences (seed defaults)."""
    if Profile.objects.filter(user=user).exists():
        raise Conflict("Profile already exists")
    _check_location(latitude, longitude)
    profile = Profile.objects.create(
        user=user, name=name, age=age, bio=bio, latitude=latitude, longitude=longitude
    )
    _replace_prompts(profile, prompts or [])
    _apply_preferences(profile, preferences or {})
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, **changes: Any) -> Profile:
    """Change only the given fields; `prompts` replaces the list; location only when sent."""
    prompts = changes.pop("prompts", None)
    preferences = changes.pop("preferences", None)
    if "latitude" in changes or "longitude" in changes:
        latitude = changes.get("latitude", profile.latitude)
        longitude = changes.get("longitude", profile.longitude)
        _check_location(latitude, longitude)
    for key, value in changes.items():
        setattr(profile, key, value)
    profile.updated_at = timezone.now()
    profile.save()
    if prompts is not None:
        _replace_prompts(profile, prompts)
    if preferences is not None:
        _apply_preferences(profile, preferences)
    return profile


# --- Photos ----------------------------------------------------------------------------------


def _image_extension(upload: File) -> str:
    """Read the content with Pillow: JPEG, PNG or WebP only, whatever the file is called."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"file": ["File is larger than 10 MB"]})
    if upload.size == 0:
        raise ValidationError({"file": ["File is empty"]})
    try:
        upload.seek(0)
        # Pillow only warns between its limit and twice it: make that a refusal too.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                pixels = image.width * image.height
                if pixels <= MAX_IMAGE_PIXELS:
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        pixels = MAX_IMAGE_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError({"file": ["File is not a valid image"]}) from error
    finally:
        upload.seek(0)
    if pixels > MAX_IMAGE_PIXELS:
        raise ValidationError(
            {"file": [f"Image is larger than {MAX_IMAGE_PIXELS:,} pixels (width × height)"]}
        )
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError({"file": ["Only JPEG, PNG and WebP images are allowed"]})
    return ALLOWED_IMAGE_FORMATS[image_format]


@transaction.atomic
def photo_upload(*, profile: Profile, upload: File) -> Photo:
    """Store one photo after the content check; at most six per profile."""
    extension = _image_extension(upload)
    # Lock the profile so two uploads cannot both take the sixth slot.
    Profile.objects.select_for_update().filter(pk=profile.pk).first()
    stats = Photo.objects.filter(profile=profile).aggregate(count=Count("id"), top=Max("order"))
    if stats["count"] >= MAX_PHOTOS:
        raise ValidationError({"file": [f"A profile can have at most {MAX_PHOTOS} photos"]})
    photo = Photo(profile=profile, order=0 if stats["top"] is None else stats["top"] + 1)
    photo.image.name = photo_upload_to(photo, f"{photo.id}.{extension}")
    photo.save()
    # The file is stored once the row is committed: a request that rolls back leaves no file.
    # The bytes are kept (≤ 10 MB) since the upload may be closed by then.
    upload.seek(0)
    content = ContentFile(upload.read())
    transaction.on_commit(lambda: _store_photo_file(photo.pk, photo.image.name, content))
    return photo


def _store_photo_file(photo_id, name: str, upload: File) -> None:
    """After commit: write the file under the row's name, then make its thumbnail (a job)."""
    from matching.tasks import photo_thumbnail_job

    try:
        saved = default_storage.save(name, upload)
        if saved != name:  # never expected (names are UUIDs); keep row and file in step
            Photo.objects.filter(pk=photo_id).update(image=saved)
    except Exception:
        Photo.objects.filter(pk=photo_id).delete()  # no row without its file
        raise
    enqueue_on_commit(photo_thumbnail_job, str(photo_id))


def photo_thumbnail_make(*, photo_id) -> str | None:
    """Make the photo's thumbnail; None when the photo is gone (its files go with it)."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image.name:
        return None
    made = make_thumbnail(photo.image.name)
    if not Photo.objects.filter(pk=photo_id).update(thumbnail=made):
        default_storage.delete(made)  # deleted meanwhile
        return None
    return made


@transaction.atomic
def photo_delete(*, profile: Profile, photo_id: uuid.UUID) -> None:
    """Delete a photo unless fewer than two would remain; the file goes after commit."""
    Profile.objects.select_for_update().filter(pk=profile.pk).first()
    photo = Photo.objects.filter(profile=profile, pk=photo_id).first()
    if photo is None:
        raise NotFound("Photo not found")
    remaining = Photo.objects.filter(profile=profile).count() - 1
    if remaining < MIN_PHOTOS:
        raise ValidationError({"photo": [f"A profile must keep at least {MIN_PHOTOS} photos"]})
    names = [name for name in (photo.image.name, photo.thumbnail.name) if name]
    photo.delete()
    # Re-pack the order 0..n-1, as the original did.
    for index, other in enumerate(Photo.objects.filter(profile=profile).order_by("order")):
        if other.order != index:
            Photo.objects.filter(pk=other.pk).update(order=index)
    transaction.on_commit(lambda: _delete_files(names))


@transaction.atomic
def photo_reorder(*, profile: Profile, photo_ids: list[uuid.UUID]) -> list[Photo]:
    """Put the profile's photos in the given order (every photo, each once)."""
    Profile.objects.select_for_update().filter(pk=profile.pk).first()
    photos = {photo.pk: photo for photo in Photo.objects.filter(profile=profile)}
    if len(set(photo_ids)) != len(photo_ids):
        raise ValidationError({"photo_ids": ["Photo ids must not repeat"]})
    if set(photo_ids) != set(photos):
        raise ValidationError({"photo_ids": ["Send every photo of the profile exactly once"]})
    for index, photo_id in enumerate(photo_ids):
        photos[photo_id].order = index
    Photo.objects.bulk_update(photos.values(), ["order"])
    return [photos[photo_id] for photo_id in photo_ids]


# --- Likes, passes, matches ------------------------------------------------------------------


@dataclass(frozen=True)
class LikeResult:
    created: bool  # whether this call recorded the like (False: it was there already)
    match: Match | None


def _lock_pair(user: Any, target: Profile) -> None:
    """Lock both profiles in key order so concurrent likes of one pair run one after the other.

    PostgreSQL: the second transaction waits here until the first commits, then sees its like.
    SQLite: writes are already serialized by the IMMEDIATE transaction mode.
    A target deleted since the view read it is a 404; locked, it stays until the commit.
    """
    if (target.pk,) not in _LOCK_PAIR.rows(user.pk, target.user_id):
        raise NotFound("Profile not found")


# The like's statements, compiled once per process (config/sql.py): building the three
# EXISTS cost more than running them. Value(): the ids reach the SQL as given.
_LOCK_PAIR = Prepared(
    lambda user_id, other_id: (
        Profile.objects.select_for_update()
        .filter(Q(user_id=Value(user_id)) | Q(user_id=Value(other_id)))
        .order_by("pk")
        .values_list("pk")
    ),
)
_LIKE_STATE = Prepared(
    lambda target_id, user_id, target_user_id: (
        Profile.objects.filter(pk=Value(target_id))
        .annotate(
            passed=Exists(
                Pass.objects.filter(user_id=Value(user_id), target_id=Value(target_user_id))
            ),
            liked=Exists(
                Like.objects.filter(user_id=Value(user_id), target_id=Value(target_user_id))
            ),
            liked_back=Exists(
                Like.objects.filter(user_id=Value(target_user_id), target_id=Value(user_id))
            ),
        )
        .values_list("passed", "liked", "liked_back")
    ),
)


def _target_user(target: Profile, user: Any) -> Any:
    if target.user_id == user.pk:
        raise ValidationError({"target": ["You cannot do that to your own profile"]})
    return target.user


def _ordered(user_a_id: uuid.UUID, user_b_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (user_a_id, user_b_id) if user_a_id < user_b_id else (user_b_id, user_a_id)


# Services below run inside the request's transaction (config.middleware rolls the whole
# request back on any error), so a nested block needs no savepoint of its own: two round
# trips less per write. Called outside a transaction they still open one.


@transaction.atomic(savepoint=False)
def like_create(*, user: Any, target: Profile) -> LikeResult:
    """Like a profile (idempotent). A like that completes a mutual pair creates the match and
    its conversation exactly once, even when both likes arrive at the same moment."""
    target_user = _target_user(target, user)
    _lock_pair(user, target)
    # Read after the lock, in a statement of its own: it sees what a concurrent like of the
    # pair committed while this one waited (a subquery of the locking statement would not).
    # The target's row is there: _lock_pair holds it.
    ((passed, liked, liked_back),) = _LIKE_STATE.rows(target.pk, user.pk, target_user.pk)
    if passed:
        Pass.objects.filter(user=user, target=target_user).delete()
    if not liked:
        # No get_or_create (and its savepoint): the pair's lock keeps a second like out.
        Like.objects.create(user=user, target=target_user)
    match = match_create(user_a=user, user_b=target_user) if liked_back else None
    return LikeResult(created=not liked, match=match)


@transaction.atomic(savepoint=False)
def match_create(*, user_a: Any, user_b: Any) -> Match:
    """The pair's match and its conversation (get_or_create on the ordered pair)."""
    user1_id, user2_id = _ordered(user_a.pk, user_b.pk)
    match, _ = Match.objects.get_or_create(user1_id=user1_id, user2_id=user2_id)
    Conversation.objects.get_or_create(
        match=match, defaults={"user1_id": user1_id, "user2_id": user2_id}
    )
    return match


@transaction.atomic(savepoint=False)
def like_delete(*, user: Any, target: Profile) -> None:
    """Unlike: remove the like and the match (its conversation goes with it). Idempotent."""
    target_user = _target_user(target, user)
    _lock_pair(user, target)
    Like.objects.filter(user=user, target=target_user).delete()
    user1_id, user2_id = _ordered(user.pk, target_user.pk)
    Match.objects.filter(user1_id=user1_id, user2_id=user2_id).delete()


@transaction.atomic(savepoint=False)
def pass_create(*, user: Any, target: Profile) -> Pass:
    """Pass on a profile (idempotent); it also withdraws a like and any match with them."""
    target_user = _target_user(target, user)
    _lock_pair(user, target)
    Like.objects.filter(user=user, target=target_user).delete()
    user1_id, user2_id = _ordered(user.pk, target_user.pk)
    Match.objects.filter(user1_id=user1_id, user2_id=user2_id).delete()
    passed, _ = Pass.objects.get_or_create(user=user, target=target_user)
    return passed


@transaction.atomic(savepoint=False)
def match_delete(*, user: Any, match: Match) -> None:
    """Unmatch: the match, its conversation and both likes go; the user's pass keeps the two
    out of each other's discovery (and stops the like from re-creating the match)."""
    other_id = match.other_user_id(user.pk)
    Like.objects.filter(user=user, target_id=other_id).delete()
    Like.objects.filter(user_id=other_id, target=user).delete()
    Pass.objects.get_or_create(user=user, target_id=other_id)
    match.delete()


# --- Messaging -------------------------------------------------------------------------------


_CONVERSATION_FIELDS = [field.attname for field in Conversation._meta.concrete_fields]
# Read by every message sent or listed: compiled once per process (config/sql.py).
_CONVERSATION_ROWS = Prepared(
    lambda conversation_id: (
        Conversation.objects.filter(pk=Value(conversation_id)).values_list(*_CONVERSATION_FIELDS)
    )
)


def conversation_for_participant(*, user: Any, conversation_id: uuid.UUID) -> Conversation:
    rows = _CONVERSATION_ROWS.rows(uuid.UUID(str(conversation_id)))
    if not rows:
        raise NotFound("Conversation not found")
    conversation = Conversation.from_db(
        router.db_for_read(Conversation), _CONVERSATION_FIELDS, rows[0]
    )
    if user.pk not in (conversation.user1_id, conversation.user2_id):
        raise PermissionDenied("You are not matched with this user")
    return conversation


@transaction.atomic(savepoint=False)
def message_send(
    *,
    sender: Any,
    conversation: Conversation,
    content: str,
    playground: Playground | None = None,
) -> Message:
    """Store a message in a match's conversation (the caller checked participation)."""
    recipient_id = (
        conversation.user2_id if conversation.user1_id == sender.pk else conversation.user1_id
    )
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        sender=sender,
        recipient_id=recipient_id,
        content=content,
        playground=playground,
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=now)
    conversation.updated_at = now
    return message


@transaction.atomic
def message_send_to_user(*, sender: Any, recipient_id: uuid.UUID, content: str) -> Message:
    """Send to a user by id: 403 unless the two are matched."""
    user1_id, user2_id = _ordered(sender.pk, recipient_id)
    conversation = Conversation.objects.filter(user1_id=user1_id, user2_id=user2_id).first()
    if conversation is None:
        raise PermissionDenied("You are not matched with this user")
    return message_send(sender=sender, conversation=conversation, content=content)


@transaction.atomic
def playground_share(
    *, sender: Any, conversation: Conversation, playground: Playground, content: str = ""
) -> Message:
    """Share a playground into a conversation as a message that references it."""
    text = content or f"Let's meet at {playground.name}!"
    return message_send(
        sender=sender, conversation=conversation, content=text, playground=playground
    )


@transaction.atomic
def conversation_mark_read(*, user: Any, conversation: Conversation) -> int:
    """Mark every message the user received in the conversation as read; returns how many."""
    return Message.objects.filter(conversation=conversation, recipient=user, read=False).update(
        read=True
    )


@transaction.atomic
def conversation_hide(*, user: Any, conversation: Conversation) -> None:
    """Hide the conversation and its history so far for this user only.

    A later message shows the conversation again, with only the messages after the hide."""
    field = "user1_cleared_at" if conversation.user1_id == user.pk else "user2_cleared_at"
    Conversation.objects.filter(pk=conversation.pk).update(**{field: timezone.now()})
    Message.objects.filter(conversation=conversation, recipient=user, read=False).update(read=True)


# --- Playgrounds -----------------------------------------------------------------------------


@transaction.atomic
def playground_create(
    *, owner: Any, name: str, latitude: float, longitude: float, description: str = ""
) -> Playground:
    """Add a playground; it is also a favourite of its owner (as in the original's model)."""
    _check_location(latitude, longitude)
    playground = Playground.objects.create(
        owner=owner, name=name, description=description, latitude=latitude, longitude=longitude
    )
    PlaygroundFavourite.objects.create(user=owner, playground=playground)
    return playground


@transaction.atomic
def playground_favourite(*, user: Any, playground: Playground) -> PlaygroundFavourite:
    """Mark as favourite (idempotent)."""
    favourite, _ = PlaygroundFavourite.objects.get_or_create(user=user, playground=playground)
    return favourite


@transaction.atomic
def playground_unfavourite(*, user: Any, playground: Playground) -> None:
    """Unmark (idempotent)."""
    PlaygroundFavourite.objects.filter(user=user, playground=playground).delete()
