"""Certificates: rendered as PNG and PDF with rare-character names, by the real worker."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageFont
from pypdf import PdfReader

from core import fonts
from edu import certificates, services
from edu.models import Certificate
from tests.factories import UserFactory

RARE_NAME = "张𠮷英"  # 𠮷 is U+20BB7, outside the Basic Multilingual Plane


def pdf_text(pdf: bytes) -> str:
    # pypdf decodes fpdf2's two-byte ToUnicode entries with a NUL before BMP characters.
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")


def complete_course(user, course) -> Certificate:
    for lesson in course.lessons.order_by("module__position", "position"):
        certificate = services.lesson_complete(user=user, lesson=lesson)
    return certificate


@pytest.mark.django_db
def test_the_pdf_carries_the_rare_character_name_course_serial_in_its_text_layer(course):
    certificate = complete_course(UserFactory(display_name=RARE_NAME), course)

    pdf = certificates.render_pdf(certificate)

    text = pdf_text(pdf)
    assert RARE_NAME in text
    assert course.title_zh in text
    assert certificate.serial in text
    assert pdf.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_png_draws_the_name_in_ink_not_blank_boxes(course):
    certificate = complete_course(UserFactory(display_name=RARE_NAME), course)

    image = Image.open(io.BytesIO(certificates.render_png(certificate))).convert("L")

    assert image.size == (certificates.WIDTH, certificates.HEIGHT)
    # The name row has ink across the width of three large glyphs.
    row = image.crop((0, 390, certificates.WIDTH, 520))
    left, _top, right, _bottom = row.point(lambda v: 255 if v < 100 else 0).getbbox()
    assert right - left > 250
    # The rare glyph is drawn from the font, not as the "missing glyph" box.
    font = certificates.cjk_font()
    face = ImageFont.truetype(font.path, 100, index=font.index)
    assert face.getbbox("𠮷") != face.getbbox("\U000f0000")
    assert Image.frombytes("L", face.getmask("𠮷").size, bytes(face.getmask("𠮷"))).getbbox()


def test_a_missing_cjk_font_gives_a_clear_error(settings, monkeypatch):
    settings.EDU_CERTIFICATE_FONT = "/nonexistent/font.ttc"
    settings.CERTIFICATE_FALLBACK_FONTS = ["/nonexistent/fallback.ttf"]
    fonts.font_chain.cache_clear()
    try:
        with pytest.raises(certificates.CertificateFontMissing, match="fonts-noto-cjk"):
            certificates.cjk_font()
    finally:
        fonts.font_chain.cache_clear()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_certificate_after_the_course_is_completed(celery_worker, course):
    certificate = complete_course(UserFactory(display_name=RARE_NAME), course)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        certificate.refresh_from_db()
        if certificate.rendered_at:
            break
        time.sleep(0.3)

    assert certificate.rendered_at is not None
    with certificate.pdf.open("rb") as handle:
        assert RARE_NAME in pdf_text(handle.read())
    with certificate.png.open("rb") as handle:
        assert Image.open(handle).size == (certificates.WIDTH, certificates.HEIGHT)
    # Running the task's service again leaves the rendered files alone.
    assert services.certificate_render(certificate_id=certificate.pk) is False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_certificate_whose_render_request_was_lost_is_rendered_by_the_sweep(
    celery_worker, course
):
    # Given a certificate issued while the broker was unreachable (no render request sent)
    user = UserFactory(display_name=RARE_NAME)
    certificate = Certificate.objects.create(
        serial="AQ-2026-LOST1-LOST2",
        user=user,
        course=course,
        course_version=1,
        learner_name=RARE_NAME,
        course_title_zh=course.title_zh,
        issued_at=timezone.now() - timedelta(minutes=5),
    )

    # When the scheduled sweep runs
    assert services.certificates_render_pending() == 1

    # Then the worker renders it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and certificate.rendered_at is None:
        time.sleep(0.3)
        certificate.refresh_from_db()
    assert certificate.rendered_at is not None


@pytest.mark.django_db
def test_the_sweep_is_scheduled_for_the_admin_to_edit():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="edu.certificates_render_pending")

    assert task.enabled and task.interval.every == 10


@pytest.mark.django_db
def test_the_qr_code_points_at_the_public_verification_page(course, settings, client):
    certificate = complete_course(UserFactory(), course)

    url = certificates.verification_url(certificate)

    assert url == f"{settings.SITE_URL}/certificates/{certificate.serial}/"
    assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200
