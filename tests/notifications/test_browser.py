"""An elderly learner changes their reminders, and signs in with a text message code, on a
phone with JavaScript turned off."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from notifications.models import Kind, Preference, SmsOutbox
from tests.conftest import PHONE, RESULTS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reminder_settings_work_without_javascript_in_elder_mode(web_server, browser):
    # Given a learner in elder mode, on a phone whose browser runs no script
    UserFactory(username="laowang", elder_mode=True, email="w@example.cn")
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(web_server + "/accounts/login/")
    page.get_by_label("用户名").fill("laowang")
    page.get_by_label("密码").fill("correct-horse-42")
    page.get_by_role("button", name="登录").click()

    # When they open their account page from the menu (signing in lands on their learning),
    # follow the link there and change two choices
    page.get_by_text("菜单").click()
    page.get_by_role("link", name="我的账户").click()
    page.get_by_role("link", name="选择要接收的提醒").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提醒设置")
    expect(page.locator("html")).to_have_class("elder")
    nudge = page.get_by_label("继续学习课程的提醒")
    box = nudge.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # large enough to tap
    nudge.uncheck()
    page.get_by_label("每周学习小结").check()
    page.get_by_role("button", name="保存").click()

    # Then the page confirms it, shows the new choices, and they are stored
    expect(page.get_by_role("status")).to_contain_text("您的提醒设置已保存")
    expect(page.get_by_label("继续学习课程的提醒")).not_to_be_checked()
    expect(page.get_by_label("每周学习小结")).to_be_checked()
    preference = Preference.objects.get(user__username="laowang")
    assert Kind.COURSE_NUDGE in preference.muted_kinds and preference.weekly_summary
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "reminder-settings-elder.png"), full_page=True)
    context.close()


def test_a_learner_signs_in_with_a_text_message_code_without_javascript_in_elder_mode(
    web_server, browser
):
    # Given a learner with a registered phone, in elder mode, on a phone that runs no script
    cache.clear()  # the rate limits count in the cache the web server shares
    user = UserFactory(elder_mode=True)
    Preference.objects.create(user=user, phone="13800138000")
    context = browser.new_context(**PHONE, java_script_enabled=False)
    context.add_cookies([{"name": "elder_mode", "value": "1", "url": web_server}])
    page = context.new_page()

    # When they follow the link from the login page, give the phone and type the code
    page.goto(web_server + "/accounts/login/")
    page.get_by_role("link", name="用短信验证码登录").click()
    page.get_by_label("手机号码").fill("138 0013 8000")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("输入验证码")
    expect(page.get_by_role("status")).to_contain_text("138****8000")
    expect(page.locator("html")).to_have_class("elder")
    field = page.get_by_label("短信里的验证码")
    assert field.bounding_box()["height"] >= 44  # large enough to tap
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "sign-in-code-elder.png"), full_page=True)
    body = SmsOutbox.objects.get(phone="13800138000").body
    field.fill(re.search(r"(?<!\d)\d{6}(?!\d)", body).group())
    page.get_by_role("button", name="登录").click()

    # Then they are signed in, on their learning
    expect(page).to_have_url(web_server + "/courses/my/")
    context.close()
