"""Responsive sizes of lesson images, made with Pillow: WebP at a few widths, never
upscaled, EXIF orientation applied and metadata dropped (photos can carry GPS positions)."""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from core.images import image_open_safely

from .models import LessonImage

logger = logging.getLogger(__name__)

WIDTHS = (480, 960)


def lesson_image_renditions_make(*, image: LessonImage) -> dict[str, str]:
    """Write the renditions of ``image`` to storage and record them. Idempotent: running it
    again rewrites the same sizes."""
    with image.image.open("rb") as handle:
        # Same limits as any upload: pixel count checked before decoding, upright, RGB.
        source = image_open_safely(handle.read()).convert("RGB")
    stem = PurePosixPath(image.image.name or "image").stem
    renditions: dict[str, str] = {}
    for width in WIDTHS:
        if width > source.width and renditions:
            break
        target = min(width, source.width)
        height = round(source.height * target / source.width)
        resized = source.resize((target, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        resized.save(out, format="WEBP", quality=78, method=4)
        name = default_storage.save(f"edu/images/{stem}-{target}.webp", ContentFile(out.getvalue()))
        renditions[str(target)] = name
    image.renditions = renditions
    image.width, image.height = source.width, source.height
    image.save(update_fields=["renditions", "width", "height"])
    return renditions


def stored_files_delete(names: list[str]) -> None:
    """Delete files from storage; one that is gone already, or that the backend refuses to
    delete, is logged and skipped (nothing is left to undo)."""
    for name in dict.fromkeys(filter(None, names)):
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete the stored file %s", name, exc_info=True)


def lesson_image_files_release(*, image: LessonImage) -> None:
    """A lesson image row is being deleted (in the caller's transaction): once that commits,
    delete its original and renditions, unless another row still shows the same file (a
    draft version shares its files with the live course)."""
    original = image.image.name or ""
    names = [original, *image.renditions.values()]

    def release() -> None:
        if original and LessonImage.objects.filter(image=original).exists():
            return
        stored_files_delete(names)

    transaction.on_commit(release, robust=True)
