"""Responsive sizes of lesson images, made with Pillow."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from edu.images import lesson_image_renditions_make
from edu.models import LessonImage
from tests.edu.factories import LessonFactory

pytestmark = pytest.mark.django_db


def uploaded(size: tuple[int, int], exif_rotated: bool = False) -> ContentFile:
    image = Image.new("RGB", size, (20, 120, 60))
    out = io.BytesIO()
    if exif_rotated:
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotate 90° when shown
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="photo.jpg" if exif_rotated else "photo.png")


def make(size, **kwargs) -> LessonImage:
    image = LessonImage(lesson=LessonFactory(), alt_zh="照片")
    image.image.save("photo", uploaded(size, **kwargs), save=False)
    image.save()
    lesson_image_renditions_make(image=image)
    return image


def test_a_large_image_gets_two_webp_widths():
    image = make((2000, 1000))

    assert sorted(image.renditions, key=int) == ["480", "960"]
    with default_storage.open(image.renditions["480"]) as handle:
        small = Image.open(handle)
        assert (small.format, small.size) == ("WEBP", (480, 240))
    assert "480w" in image.srcset and "960w" in image.srcset


def test_a_small_image_is_never_upscaled():
    image = make((300, 200))

    assert list(image.renditions) == ["300"]


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata():
    image = make((800, 600), exif_rotated=True)

    assert (image.width, image.height) == (600, 800)
    with default_storage.open(image.renditions["480"]) as handle:
        assert not Image.open(handle).getexif()
