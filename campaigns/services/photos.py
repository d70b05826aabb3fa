"""Session photos: attach idempotently, then re-encode and thumbnail in the background."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from core.images import (
    ImageRefused,
    image_open_safely,
    image_probe,
    image_reencode,
    image_thumbnail,
    sha256_of,
)

from ..models import (
    Flag,
    PhotoStatus,
    SessionLog,
    SessionPhoto,
)
from .errors import MAX_PHOTOS_PER_LOG, NotYourSessionLog, PhotoRefused, TooManyPhotos
from .session_logs import _flag_add


def session_photo_attach(
    *, log: SessionLog, volunteer: User, client_photo_id: str, data: bytes, enqueue: bool = True
) -> tuple[SessionPhoto, bool]:
    """Attach a photo to a log and queue its processing. Idempotent per (log, client photo
    id) and per (log, content): a retried or repeated upload returns the first photo.
    Cheap checks (size, format, pixel count) happen here so the phone hears at once; the
    full decode and re-encode run in Celery. Refusing a photo never touches the log.

    ``enqueue=False`` leaves processing to the caller (demo data processes at once).

    Raises NotYourSessionLog, PhotoRefused (with the refusal's ``code``) or TooManyPhotos."""
    if log.volunteer_id != volunteer.pk:
        raise NotYourSessionLog
    content_hash = sha256_of(data)
    found = log.photos.filter(Q(client_photo_id=client_photo_id) | Q(content_hash=content_hash))
    photo = found.first()
    if photo is not None:
        return photo, False
    try:
        image_probe(data)
    except ImageRefused as refused:
        raise PhotoRefused(str(refused.message), reason=refused.code) from refused
    new = SessionPhoto(log=log, client_photo_id=client_photo_id, content_hash=content_hash)
    try:
        with transaction.atomic():
            # Concurrent uploads to one log count and insert one after another, so together
            # they never pass the cap.
            SessionLog.objects.select_for_update().only("pk").get(pk=log.pk)
            photo = found.first()
            if photo is not None:
                return photo, False
            if log.photos.count() >= MAX_PHOTOS_PER_LOG:
                raise TooManyPhotos
            new.upload.save("upload", ContentFile(data), save=False)
            new.save()
            if enqueue:
                transaction.on_commit(lambda: _enqueue_photo(new.pk))
    except IntegrityError:
        new.upload.delete(save=False)  # a concurrent retry stored it first
        photo = found.first()
        if photo is None:
            raise
        return photo, False
    except BaseException:
        if new.upload:
            new.upload.delete(save=False)  # the row was rolled back: drop its file
        raise
    return new, True


def _enqueue_photo(photo_id: int) -> None:
    from ..tasks import session_photo_process_task

    session_photo_process_task.delay(photo_id)


def session_photo_process(*, photo_id: int) -> SessionPhoto | None:
    """Verify, re-encode without metadata, make a thumbnail, and flag a photo that is also
    in another session. Safe to run twice, also at once: the photo row is locked while it is
    processed, so a second run waits and then leaves the processed photo as it is. Files
    written for a processing whose update does not commit are removed again."""
    if not SessionPhoto.objects.filter(pk=photo_id, status=PhotoStatus.PROCESSING).exists():
        return SessionPhoto.objects.select_related("log").filter(pk=photo_id).first()
    written: list[str] = []
    try:
        with transaction.atomic():
            photo = (
                SessionPhoto.objects.select_for_update(of=("self",))
                .select_related("log")
                .filter(pk=photo_id)
                .first()
            )
            if photo is None or photo.status != PhotoStatus.PROCESSING:
                return photo  # another run processed it meanwhile
            _photo_process_locked(photo, written)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    _original_drop(photo)
    return photo


def _photo_process_locked(photo: SessionPhoto, written: list[str]) -> None:
    """The work of :func:`session_photo_process` on a locked row; names every file it writes
    in ``written`` before the row points at it."""
    with photo.upload.open("rb") as upload:
        data = upload.read()
    try:
        img = image_open_safely(data)
    except ImageRefused as refused:
        photo.status = PhotoStatus.FAILED
        photo.error = str(refused.message)[:200]
        photo.save(update_fields=["status", "error"])
        return
    base = f"campaigns/photos/{photo.log.client_uuid}/{photo.content_hash[:16]}"
    written.append(default_storage.save(f"{base}.jpg", ContentFile(image_reencode(img))))
    written.append(default_storage.save(f"{base}-thumb.jpg", ContentFile(image_thumbnail(img))))
    photo.image, photo.thumbnail = written
    photo.width, photo.height = img.size
    photo.status = PhotoStatus.READY
    photo.save(update_fields=["image", "thumbnail", "width", "height", "status"])
    reused = SessionPhoto.objects.filter(content_hash=photo.content_hash).exclude(
        log_id=photo.log_id
    )
    if reused.exists():
        _flag_add(photo.log, Flag.DUPLICATE_PHOTO)
        for other in SessionLog.objects.filter(photos__in=reused).distinct():
            _flag_add(other, Flag.DUPLICATE_PHOTO)


def _original_drop(photo: SessionPhoto) -> None:
    # The original, with its EXIF and GPS, is not kept once processed.
    photo.upload.delete(save=False)
    SessionPhoto.objects.filter(pk=photo.pk).update(upload="")
