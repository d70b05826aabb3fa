"""An elderly learner changes their reminders on a phone with JavaScript turned off."""

import pytest
from playwright.sync_api import expect

from notifications.models import Kind, Preference
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

    # When they follow the link from their account page and change two choices
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
