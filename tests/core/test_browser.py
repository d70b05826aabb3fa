"""What a person sees, in real Chromium on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from tests.conftest import RESULTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def font_size(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def test_elder_mode_and_language_stay_chosen_across_reloads_on_a_phone(web_server, phone):
    page = phone
    page.goto(web_server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("一堂人人都需要的金融必修课")
    normal = font_size(page)

    # The first Tab reaches the skip link, and it becomes visible.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0

    # The page switches at once and saves in the background: wait for the save before
    # reloading, or the reload can cancel it (a race that failed under load).
    with page.expect_response(lambda r: r.request.method == "POST" and "elder" in r.url):
        page.get_by_role("button", name="长辈模式：关").click()
    expect(page.locator("html")).to_have_class("elder")
    assert font_size(page) > normal * 1.2

    page.reload()
    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("button", name="长辈模式：开")).to_have_attribute(
        "aria-pressed", "true"
    )

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One lesson on money everyone needs")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_class("elder")

    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "home-phone-elder-en.png"), full_page=True)


def test_a_new_learner_signs_up_on_a_phone_and_sees_their_rare_character_name(web_server, phone):
    page = phone
    page.goto(web_server + "/accounts/signup/")

    page.get_by_label("用户名").fill("xiuying")
    page.get_by_label("您的姓名").fill("张𠮷英")
    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张𠮷英")
    expect(page.get_by_role("status")).to_contain_text("欢迎")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "signup-phone.png"), full_page=True)


def test_traditional_chinese_is_chosen_from_the_header_on_a_phone(web_server, phone):
    page = phone
    page.goto(web_server + "/")

    page.get_by_role("button", name="繁體中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.get_by_role("heading", level=1)).to_have_text("一堂人人都需要的金融必修課")
    expect(page.get_by_role("button", name="繁體中文")).to_have_attribute("aria-current", "true")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("一堂人人都需要的金融必修課")
    # Three language buttons still fit the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "home-phone-zh-hant.png"), full_page=True)
