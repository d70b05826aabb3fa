"""The rare-character picker: a learner whose name has a character their input method cannot
type finds it by its reading, by keyboard alone, and signs up with it; without JavaScript the
lookup page lists the characters to copy."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from core import characters, fonts
from tests.conftest import PHONE, RESULTS


def chars(query: str) -> list[str]:
    return [c.char for c in characters.candidates(query)]


def test_a_reading_finds_rare_characters_first_and_only_drawable_ones() -> None:
    found = characters.candidates("zhe2")
    assert "𪚥" in [c.char for c in found]  # Ext B, "four dragons", read zhé
    assert found[0].rare  # the characters an input method cannot type come first
    assert all(fonts.font_for(c.char) is not None for c in found)
    assert all(any(r.startswith("zh") for r in c.readings) for c in found)


def test_tones_by_mark_or_number_and_u_umlaut_spellings_agree() -> None:
    assert chars("zhé") == chars("zhe2") != chars("zhe")
    assert set(chars("zhe2")) < set(chars("zhe"))
    assert chars("lü3") == chars("lv3") == chars("lu:3")
    assert "吕" in chars("lv3")


def test_the_reviewed_supplement_adds_readings_the_table_lacks() -> None:
    # 𠮷 (U+20BB7) has no reading in pypinyin's table; our supplement gives it jí.
    assert chars("ji2")[0] == "𠮷"  # a known name character comes first
    assert "𠮷" in chars("ji")


def test_a_code_point_finds_its_character_and_nonsense_finds_nothing() -> None:
    assert chars("U+20BB7") == chars("20bb7") == ["𠮷"]
    assert chars("U+0041") == []  # not an ideograph
    assert chars("U+31C00") == []  # an ideograph no installed font has
    assert chars("<script>") == chars("") == chars("qqq") == []


@pytest.mark.django_db
def test_the_lookup_page_lists_characters_to_copy_without_javascript(client) -> None:
    response = client.get("/accounts/characters/", {"q": "zhe2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and "𪚥" in page
    assert "/accounts/characters/2a6a5.png" in page
    assert "共找到" in page

    fragment = client.get("/accounts/characters/", {"q": "zhe2", "fragment": "1"}).content.decode()
    assert "<html" not in fragment
    total = len(characters.candidates("zhe2"))
    assert f'data-char-count="{total}"' in fragment and fragment.count("data-char=") == 32

    none = client.get("/accounts/characters/", {"q": "xyzzy"}).content.decode()
    assert "没有找到" in none


@pytest.mark.django_db
def test_a_long_list_pages_and_a_bad_page_number_is_the_last_page(client) -> None:
    total = len(characters.candidates("ji"))
    assert total > 96
    last = client.get("/accounts/characters/", {"q": "ji", "page": "999"})
    assert last.status_code == 200
    assert "上一页" in last.content.decode()
    assert client.get("/accounts/characters/", {"q": "ji", "page": "x"}).status_code == 200


@pytest.mark.django_db
def test_a_glyph_is_drawn_by_the_certificate_fonts_and_cached(client) -> None:
    response = client.get("/accounts/characters/2a6a5.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (characters.GLYPH_SIZE, characters.GLYPH_SIZE)
    assert image.getchannel("A").getbbox() is not None  # ink, not an empty square

    for code in ["0041", "31c00", "zz", "110000", "20BB7"]:
        assert client.get(f"/accounts/characters/{code}.png").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_learner_finds_and_inserts_a_rare_character_by_keyboard_alone(web_server, phone):
    page = phone
    page.goto(web_server + "/accounts/signup/")
    page.get_by_label("用户名").fill("jiye")
    name = page.get_by_label("您的姓名")
    name.fill("张")

    # Keyboard only: from the name field, Tab to the picker, open it, search, choose.
    name.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_text("名字里有打不出的字？")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("ji2")
    page.keyboard.press("Enter")  # searches; does not submit the sign-up form
    choice = page.get_by_role("button", name="𠮷 jí U+20BB7")
    expect(choice).to_be_visible()
    expect(page.get_by_text("共找到")).to_be_visible()
    assert page.url.endswith("/accounts/signup/")
    choice.focus()
    page.keyboard.press("Enter")

    expect(name).to_have_value("张𠮷")
    expect(name).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="已加入名字")).to_contain_text("𠮷")
    name.press("End")
    page.keyboard.type("英")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "char-picker-phone.png"), full_page=True)

    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_label("我已阅读并同意隐私声明").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张𠮷英")
    assert User.objects.get(username="jiye").display_name == "张𠮷英"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_picker_links_to_the_lookup_page(web_server, browser):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(web_server + "/accounts/signup/")
    page.get_by_text("名字里有打不出的字？").click()
    link = page.get_by_role("link", name="在新页面按拼音查找")
    expect(link).to_be_visible()
    expect(page.get_by_label("拼音或编码")).to_be_hidden()
    page.goto(web_server + link.get_attribute("href") + "?q=zhe2")
    expect(page.get_by_text("𪚥", exact=True)).to_be_visible()
    context.close()
