"""What a person sees, in real Chromium on a phone-sized screen."""

import re

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

    page.get_by_text("菜单").click()  # languages sit in the phone's menu
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
    page.get_by_label("我已阅读并同意隐私声明").check()
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张𠮷英")
    expect(page.get_by_role("status")).to_contain_text("欢迎")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "signup-phone.png"), full_page=True)


HEADER_BOUND = 96  # px on a 390 × 844 phone: a ninth of the screen at most


def header_height(page) -> float:
    return float(page.evaluate("document.querySelector('.site-header').offsetHeight"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_phone_header_is_one_short_row_in_elder_mode_and_in_english(
    web_server, phone, language
):
    page = phone
    heights = {}
    for elder in ("0", "1"):
        page.context.add_cookies(
            [
                {"name": "django_language", "value": language, "url": web_server},
                {"name": "elder_mode", "value": elder, "url": web_server},
            ]
        )
        page.goto(web_server + "/courses/")
        heights[elder] = header_height(page)
        page.screenshot(path=str(RESULTS / f"header-phone-{language}-elder{elder}.png"))

    assert heights["1"] <= HEADER_BOUND, heights  # 324 px (38 % of the screen) before
    assert heights["0"] <= HEADER_BOUND, heights
    # Elder mode stays one tap away, outside the menu.
    expect(page.locator(".site-header [data-elder-toggle] button")).to_be_in_viewport()


def test_the_phone_menu_opens_by_keyboard_and_touch_and_its_links_work(web_server, phone):
    page = phone
    page.goto(web_server + "/")
    menu = page.locator(".site-header details")
    courses = page.locator(".site-nav").get_by_role("link", name="课程", exact=True)
    expect(courses).to_be_hidden()

    # By keyboard: the button is reached with Tab, Enter opens, Escape closes and returns.
    button = page.locator(".site-header summary")
    for _ in range(5):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(courses).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(button).to_be_focused()

    # By touch: the menu opens over the page, and its links lead where they say.
    button.click()
    page.screenshot(path=str(RESULTS / "header-phone-menu-open.png"))
    courses.click()
    expect(page).to_have_url(web_server + "/courses/")
    expect(page.get_by_role("heading", level=1)).to_have_text("课程")


def test_the_desktop_header_shows_its_links_without_a_menu_button(web_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(web_server + "/")

    expect(page.locator(".site-header summary")).to_be_hidden()
    page.locator(".site-nav").get_by_role("link", name="防骗自测").click()
    expect(page).to_have_url(web_server + "/quizzes/")
    assert header_height(page) <= 80
    page.screenshot(path=str(RESULTS / "header-desktop.png"))
    context.close()


def test_without_script_the_menu_still_opens_and_leads_on(web_server, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        java_script_enabled=False,
        locale="zh-CN",
    )
    page = context.new_page()
    page.goto(web_server + "/")

    page.locator(".site-header summary").click()
    page.locator(".site-nav").get_by_role("link", name="登录").click()
    expect(page).to_have_url(web_server + "/accounts/login/")
    context.close()


def test_unread_notifications_show_on_the_phone_menu_button(web_server, phone):
    from notifications.models import Notification
    from tests.factories import UserFactory

    user = UserFactory(username="laowang")
    Notification.objects.create(user=user, title="证书已生成")
    Notification.objects.create(user=user, title="课程在等您")
    page = phone
    page.goto(web_server + "/accounts/login/")
    page.get_by_label("用户名").fill("laowang")
    page.get_by_label("密码").fill("correct-horse-42")
    page.get_by_role("button", name="登录").click()

    # The count is on the button while the menu is closed, and by the link once open.
    expect(page.locator(".site-header summary")).to_have_text(re.compile(r"菜单\s*2"))
    page.locator(".site-header summary").click()
    expect(page.locator(".site-nav [data-unread-count]")).to_have_text("2")
    expect(page.locator(".site-nav [data-unread-count]")).to_be_visible()


def test_traditional_chinese_is_chosen_from_the_header_on_a_phone(web_server, phone):
    page = phone
    page.goto(web_server + "/")

    page.get_by_text("菜单").click()  # languages sit in the phone's menu
    page.get_by_role("button", name="繁體中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.get_by_role("heading", level=1)).to_have_text("一堂人人都需要的金融必修課")
    page.get_by_text("選單").click()
    expect(page.get_by_role("button", name="繁體中文")).to_have_attribute("aria-current", "true")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("一堂人人都需要的金融必修課")
    # Three language buttons still fit the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "home-phone-zh-hant.png"), full_page=True)
