"""Certificate rendering: a PNG (Pillow) and a PDF (fpdf2), each with the learner's name in
any Unicode (rare characters outside the BMP such as 𠮷 included), the course, the date, the
serial and a QR code (segno) to the public verification page.

Text is drawn through core.fonts' chain, each character with the first installed font that
has it: Noto Sans CJK SC (Debian's ``fonts-noto-cjk``), then BabelStone Han and HanaMin
(``fonts-babelstone-han``, ``fonts-hanazono``), all installed by ``scripts/system-deps.sh``.
``EDU_CERTIFICATE_FONT`` may name the primary font file (``path`` or ``path:index``).
A zh-hant learner's certificate says the same in Traditional characters; Noto Sans CJK maps
every Traditional character too (tests/edu/test_traditional.py checks its cmap).
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from core import fonts
from core.fonts import FontFile
from core.hant import is_traditional

from .models import Certificate


class CertificateFontMissing(RuntimeError):
    pass


def cjk_font() -> FontFile:
    """The primary CJK font certificates draw with, or a clear error saying how to get one."""
    chain = fonts.font_chain()
    if not chain:
        raise CertificateFontMissing(
            "No CJK font with rare characters was found for certificates. Install Debian's "
            "fonts-noto-cjk (apt-get install fonts-noto-cjk) or set EDU_CERTIFICATE_FONT to a "
            "font file (path or path:index)."
        )
    return chain[0]


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("edu:certificate", args=[certificate.serial])


def _qr_png(url: str, scale: int) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


# The certificate's fixed Chinese words, in Simplified and in Traditional characters (written
# out, not converted: they are few and never change).
WORDS = {
    False: dict(heading="结业证书", intro="完成了课程", serial="证书编号", verify="扫码验证"),
    True: dict(heading="結業證書", intro="完成了課程", serial="證書編號", verify="掃碼驗證"),
}


def _lines(certificate: Certificate) -> dict[str, str]:
    """What the certificate says; a zh-hant learner's in Traditional characters. The
    learner's name is drawn as they wrote it, never converted."""
    issued = timezone.localtime(certificate.issued_at)
    traditional = is_traditional(certificate.language)
    words = WORDS[traditional]
    title = certificate.course_title(certificate.language if traditional else None)
    title_en = certificate.course_title_en or ""
    return {
        "heading": words["heading"],
        "heading_en": "Certificate of completion",
        "name": certificate.learner_name,
        "intro": f"{words['intro']} · has completed the course",
        "title": title,
        "title_en": title_en,
        "date": f"{issued.year}年{issued.month}月{issued.day}日 · {issued:%Y-%m-%d}",
        "serial": f"{words['serial']} Serial: {certificate.serial}",
        "verify": f"{words['verify']} · Scan to verify",
    }


WIDTH, HEIGHT = 1600, 1131  # A4 landscape at ~137 dpi
INK = (28, 36, 48)
BRAND = (179, 38, 30)
MUTED = (74, 85, 104)
Colour = tuple[int, int, int]


def _faces(text: str, size: int) -> list[tuple[ImageFont.FreeTypeFont, str]]:
    return [
        (ImageFont.truetype(font.path, size, index=font.index), run)
        for font, run in fonts.font_runs(text)
    ]


def _width(faces: list[tuple[ImageFont.FreeTypeFont, str]]) -> float:
    return sum(face.getlength(run) for face, run in faces)


def _draw_centred(
    draw: ImageDraw.ImageDraw, centre: int, top: int, text: str, size: int, colour: Colour
) -> None:
    """text centred on centre with its top at top, shrunk to fit the page, each run in the
    font that has its characters, all on the primary font's baseline."""
    faces = _faces(text, size)
    while _width(faces) > WIDTH - 240 and size > 24:
        size -= 4
        faces = _faces(text, size)
    primary = cjk_font()
    baseline = top + ImageFont.truetype(primary.path, size, index=primary.index).getmetrics()[0]
    x = centre - _width(faces) / 2
    for face, run in faces:
        draw.text((x, baseline), run, font=face, fill=colour, anchor="ls")
        x += face.getlength(run)


def render_png(certificate: Certificate) -> bytes:
    font = cjk_font()
    lines = _lines(certificate)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=BRAND, width=8)
    draw.rectangle((52, 52, WIDTH - 52, HEIGHT - 52), outline=BRAND, width=2)
    centre = WIDTH // 2
    rows = [
        ("heading", 88, BRAND, 150),
        ("heading_en", 36, MUTED, 255),
        ("name", 110, INK, 390),
        ("intro", 34, MUTED, 520),
        ("title", 56, INK, 600),
        ("title_en", 34, MUTED, 680),
        ("date", 32, MUTED, 770),
    ]
    for key, size, colour, y in rows:
        if lines[key]:
            _draw_centred(draw, centre, y, lines[key], size, colour)
    small = ImageFont.truetype(font.path, 28, index=font.index)
    draw.text((120, HEIGHT - 130), lines["serial"], font=small, fill=INK, anchor="ls")
    qr = Image.open(io.BytesIO(_qr_png(verification_url(certificate), 6))).convert("RGB")
    qr = qr.resize((220, 220), Image.Resampling.NEAREST)
    qr_left = WIDTH - 170 - 220
    image.paste(qr, (qr_left, HEIGHT - 120 - 250))
    draw.text((qr_left + 110, HEIGHT - 110), lines["verify"], font=small, fill=MUTED, anchor="mt")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_pdf(certificate: Certificate) -> bytes:
    from fpdf import FPDF

    font = cjk_font()
    lines = _lines(certificate)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{lines['heading']} {certificate.serial}")
    pdf.set_author("Anquan")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", "", font.path, collection_font_number=font.index)
    # Fallbacks only for what this certificate's text needs: parsing a large font costs.
    needed = {f for text in lines.values() for f, _run in fonts.font_runs(text)} - {font}
    fallbacks = [f for f in fonts.font_chain() if f in needed]
    for number, fallback in enumerate(fallbacks, start=1):
        pdf.add_font(f"cjk{number}", "", fallback.path, collection_font_number=fallback.index)
    if fallbacks:
        pdf.set_fallback_fonts([f"cjk{n}" for n in range(1, len(fallbacks) + 1)])
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.5)
    pdf.rect(6, 6, 285, 198)
    pdf.set_line_width(0.4)
    pdf.rect(10, 10, 277, 190)
    rows = [
        ("heading", 32, BRAND, 24),
        ("heading_en", 13, MUTED, 42),
        ("name", 40, INK, 62),
        ("intro", 12, MUTED, 90),
        ("title", 20, INK, 102),
        ("title_en", 12, MUTED, 118),
        ("date", 12, MUTED, 134),
    ]
    for key, size, colour, y in rows:
        if not lines[key]:
            continue
        pdf.set_font("cjk", size=size)
        while pdf.get_string_width(lines[key]) > 250 and size > 9:
            size -= 2
            pdf.set_font("cjk", size=size)
        pdf.set_text_color(*colour)
        pdf.set_xy(10, y)
        pdf.cell(277, size * 0.5, lines[key], align="C")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*INK)
    pdf.set_xy(22, 182)
    pdf.cell(150, 6, lines["serial"])
    pdf.image(io.BytesIO(_qr_png(verification_url(certificate), 8)), x=232, y=140, w=40, h=40)
    pdf.set_xy(222, 182)
    pdf.set_text_color(*MUTED)
    pdf.cell(60, 6, lines["verify"], align="C")
    return bytes(pdf.output())
