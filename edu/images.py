"""Responsive sizes of lesson images, made with Pillow: WebP at a few widths, never
upscaled, EXIF orientation applied and metadata dropped (photos can carry GPS positions)."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from core.images import image_open_safely

from .models import LessonImage

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
