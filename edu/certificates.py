"""Certificate rendering: a PNG (Pillow) and a PDF (fpdf2), each with the learner's name in
any Unicode (rare characters outside the BMP such as 𠮷 included), the course, the date, the
serial and a QR code (segno) to the public verification page.

The CJK font is Noto Sans CJK (Debian's ``fonts-noto-cjk``, installed by
``scripts/system-deps.sh``), found through fontconfig; ``EDU_CERTIFICATE_FONT`` may name a
font file (``path`` or ``path:index`` for a collection) instead. A zh-hant learner's
certificate is drawn in Traditional characters with the collection's Traditional (TC) face,
whose glyph shapes a Taiwan or Hong Kong reader expects; the check names the glyphs needed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from core.hant import is_traditional

from .models import Certificate

# A character the font must have: rare names are the point of the exercise.
PROBE = "𠮷"
FONT_QUERY = "Noto Sans CJK SC:charset=20bb7"
KNOWN_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:2",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc:2",
]
# Traditional certificates: the TC face, which must also draw Traditional-only characters.
PROBE_TRADITIONAL = "𠮷結業證書課程"
FONT_QUERY_TRADITIONAL = "Noto Sans CJK TC:charset=20bb7"
KNOWN_FONTS_TRADITIONAL = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:3",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc:3",
]


class CertificateFontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int


def _parse(spec: str) -> FontFile:
    path, _, index = spec.partition(":")
    return FontFile(path=path, index=int(index or 0))


@cache
def cjk_font(traditional: bool = False) -> FontFile:
    """The CJK font file to draw certificates with (its Traditional face for a Traditional
    certificate), or a clear error saying how to get one."""
    configured = getattr(settings, "EDU_CERTIFICATE_FONT", "")
    candidates: list[str] = [configured] if configured else []
    fc_match = shutil.which("fc-match")
    query = FONT_QUERY_TRADITIONAL if traditional else FONT_QUERY
    probes = PROBE_TRADITIONAL if traditional else PROBE
    if fc_match and not configured:
        found = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_match, "-f", "%{file}:%{index}", query],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        if found:
            candidates.append(found)
    candidates += KNOWN_FONTS_TRADITIONAL if traditional else KNOWN_FONTS
    for spec in candidates:
        font = _parse(spec)
        if not Path(font.path).is_file():
            continue
        try:
            face = ImageFont.truetype(font.path, 40, index=font.index)
        except OSError:
            continue
        if all(face.getmask(c).getbbox() for c in probes):  # glyphs exist, not blank
            return font
    raise CertificateFontMissing(
        "No CJK font with rare characters was found for certificates. Install Debian's "
        "fonts-noto-cjk (apt-get install fonts-noto-cjk) or set EDU_CERTIFICATE_FONT to a "
        "font file (path or path:index)."
    )


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


def _is_traditional(certificate: Certificate) -> bool:
    return is_traditional(certificate.language)


def _lines(certificate: Certificate) -> dict[str, str]:
    """What the certificate says; a zh-hant learner's in Traditional characters. The
    learner's name is drawn as they wrote it, never converted."""
    issued = timezone.localtime(certificate.issued_at)
    traditional = _is_traditional(certificate)
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
        "date": f"{issued:%Y年%m月%d日} · {issued:%Y-%m-%d}",
        "serial": f"{words['serial']} Serial: {certificate.serial}",
        "verify": f"{words['verify']} · Scan to verify",
    }


WIDTH, HEIGHT = 1600, 1131  # A4 landscape at ~137 dpi
INK = (28, 36, 48)
BRAND = (179, 38, 30)
MUTED = (74, 85, 104)


def _fit(font: FontFile, text: str, size: int, max_width: int) -> ImageFont.FreeTypeFont:
    while True:
        face = ImageFont.truetype(font.path, size, index=font.index)
        if face.getlength(text) <= max_width or size <= 24:
            return face
        size -= 4


def render_png(certificate: Certificate) -> bytes:
    font = cjk_font(_is_traditional(certificate))
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
            face = _fit(font, lines[key], size, WIDTH - 240)
            draw.text((centre, y), lines[key], font=face, fill=colour, anchor="mt")
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

    font = cjk_font(_is_traditional(certificate))
    lines = _lines(certificate)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{lines['heading']} {certificate.serial}")
    pdf.set_author("Anquan")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", "", font.path, collection_font_number=font.index)
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
