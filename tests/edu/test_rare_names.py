"""Any name, drawn right: certificates fall back through a chain of fonts per character, and a
name no installed font can draw is refused when it is typed."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from fontTools.ttLib import TTFont
from PIL import Image, ImageFont
from pypdf import PdfReader

from core import fonts
from edu import certificates, services
from tests.factories import UserFactory

# One character from each block of CJK ideographs, each a real character (some are names).
EVERY_EXTENSION = {
    "URO": "张",  # U+5F20
    "A": "䶮",  # U+4DAE, Ext A (刘䶮, founder of the Southern Han)
    "B": "𪚥",  # U+2A6A5, Ext B: four dragons, absent from Noto Sans CJK
    "C": "𪜀",  # U+2A700, Ext C
    "D": "𫝀",  # U+2B740, Ext D
    "E": "𫠠",  # U+2B820, Ext E
    "F": "𬺰",  # U+2CEB0, Ext F
    "G": "𰀀",  # U+30000, Ext G
    "H": "𱍐",  # U+31350, Ext H
    "C-only-in-HanaMin": "𪟑",  # U+2A7D1, Ext C: in HanaMin B alone
}
NO_FONT_HAS_IT = "\U00031c00"  # Ext H, in none of the installed fonts


def glyph_in_cmap(font: fonts.FontFile, char: str) -> bool:
    """Read straight from the font file, independently of core.fonts' cached ranges."""
    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        glyph = (face.getBestCmap() or {}).get(ord(char))
    return glyph is not None and glyph != ".notdef"


def test_the_chain_has_a_font_for_a_character_of_every_extension() -> None:
    assert len(fonts.font_chain()) >= 4, "fonts-noto-cjk, -babelstone-han, -hanazono installed"
    for block, char in EVERY_EXTENSION.items():
        font = fonts.font_for(char)
        assert font is not None, f"no font for {char} (Ext {block})"
        assert glyph_in_cmap(font, char), f"{font.path} lacks {char} (Ext {block})"
    assert fonts.undrawable("".join(EVERY_EXTENSION.values())) == []


def test_the_primary_font_is_kept_where_it_has_the_character() -> None:
    primary = fonts.font_chain()[0]
    assert "NotoSansCJK" in primary.path
    runs = fonts.font_runs("张𪚥英")
    assert [text for _font, text in runs] == ["张", "𪚥", "英"]
    assert runs[0][0] == primary and runs[2][0] == primary
    assert runs[1][0] != primary and glyph_in_cmap(runs[1][0], "𪚥")


def test_a_character_no_font_has_is_named() -> None:
    assert fonts.undrawable(f"王{NO_FONT_HAS_IT}明 ") == [NO_FONT_HAS_IT]
    with pytest.raises(ValidationError) as refused:
        fonts.validate_drawable(f"王{NO_FONT_HAS_IT}")
    assert NO_FONT_HAS_IT in refused.value.messages[0]


def test_variation_selectors_and_spaces_need_no_glyph() -> None:
    assert fonts.undrawable("葛\U000e0100 明") == []
    assert "".join(text for _font, text in fonts.font_runs("葛\U000e0100 明")) == "葛 明"


@pytest.mark.django_db
def test_a_certificate_draws_every_extension_with_ink_from_the_right_fonts(course) -> None:
    name = "".join(EVERY_EXTENSION.values())
    user = UserFactory(display_name=name)
    for lesson in course.lessons.order_by("module__position", "position"):
        certificate = services.lesson_complete(user=user, lesson=lesson)
    assert certificate is not None and certificate.learner_name == name

    # The PNG: every character of the name row drawn with ink, none as a missing-glyph box.
    image = Image.open(io.BytesIO(certificates.render_png(certificate))).convert("L")
    row = image.crop((0, 390, certificates.WIDTH, 520)).point(lambda v: 255 if v < 100 else 0)
    left, _top, right, _bottom = row.getbbox()
    assert right - left > 10 * 50  # ten large glyphs side by side
    for font, text in fonts.font_runs(name):
        face = ImageFont.truetype(font.path, 100, index=font.index)
        for char in text:
            assert glyph_in_cmap(font, char)
            assert face.getmask(char).getbbox(), f"{char} draws blank in {font.path}"

    # The PDF: the name in the text layer, the fallback fonts embedded beside the primary one.
    pdf = certificates.render_pdf(certificate)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert name in page.extract_text().replace("\x00", "")
    embedded = " ".join(str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values())
    assert "NotoSansCJK" in embedded
    assert "BabelStoneHan" in embedded
    assert "HanaMinB" in embedded


def test_with_no_cjk_font_installed_names_are_not_refused(settings, monkeypatch) -> None:
    monkeypatch.setattr(fonts, "PRIMARY_KNOWN", [])
    monkeypatch.setattr(fonts, "_fontconfig_primary", lambda: "")
    settings.EDU_CERTIFICATE_FONT = ""
    settings.CERTIFICATE_FALLBACK_FONTS = ["/nonexistent.ttf"]
    fonts.font_chain.cache_clear()
    try:
        assert fonts.font_chain() == ()
        fonts.validate_drawable(f"王{NO_FONT_HAS_IT}")  # nothing raised
        with pytest.raises(certificates.CertificateFontMissing, match="fonts-noto-cjk"):
            certificates.cjk_font()
    finally:
        fonts.font_chain.cache_clear()


@pytest.mark.django_db
def test_sign_up_refuses_a_name_no_font_can_draw_and_stores_nothing(client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "wangming",
            "display_name": f"王{NO_FONT_HAS_IT}",
            "password1": "a-long-pass-2026",
            "password2": "a-long-pass-2026",
            "accept_notice": "on",
        },
    )
    assert response.status_code == 200
    assert "证书暂时无法印出" in response.content.decode()  # the page says why, in Chinese
    from accounts.models import User

    assert not User.objects.filter(username="wangming").exists()


@pytest.mark.django_db
def test_sign_up_keeps_a_rare_name_that_a_fallback_font_draws(client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "zhangsan",
            "display_name": "张𪚥",
            "password1": "a-long-pass-2026",
            "password2": "a-long-pass-2026",
            "accept_notice": "on",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(username="zhangsan").display_name == "张𪚥"


@pytest.mark.django_db
def test_the_profile_refuses_an_undrawable_name_and_keeps_the_old_one(client) -> None:
    user = UserFactory(display_name="张英")
    client.force_login(user)
    response = client.post(
        "/accounts/me/", {"display_name": f"张{NO_FONT_HAS_IT}", "language": "zh-hans"}
    )
    assert response.status_code == 200
    assert "证书暂时无法印出" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "张英"
