"""A course read without signal, in real Chromium on a phone: saved online, read and finished
offline (its knowledge check included), and the progress on the server once the signal is
back, exactly once."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from edu.models import LessonProgress, OfflineCompletion
from tests.campaigns.test_browser import sign_in, wait_until
from tests.conftest import PHONE, RESULTS
from tests.edu.test_browser import answer_the_check
from tests.edu.test_browser import police_questions as police_questions  # a fixture
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_saves_a_course_finishes_two_lessons_offline_and_they_count_once(
    web_server, browser, course, police_questions
):
    learner = UserFactory(username="xiaoli")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, web_server, "xiaoli")

    # Online: the size first, then the course is saved on the phone.
    page.goto(f"{web_server}/courses/{course.slug}/")
    page.get_by_role("button", name="保存本课程，离线学习").click()
    expect(page.get_by_text("需要下载约")).to_be_visible()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存在手机上 ✓")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="从手机上删除")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)

    # No signal: the course and its lessons still open, from the phone.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title_zh)
    page.get_by_role("link", name="没有安全账户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("没有安全账户")
    page.get_by_role("button", name="学完了，下一课").click()

    # The next saved lesson opens, saying the last one waits on the phone.
    expect(page.get_by_role("heading", level=1)).to_have_text("挂断电话再核实")
    expect(page.locator("[data-offline-status]")).to_contain_text("已保存在手机上")
    assert answer_the_check(page, correctly=True) >= 1
    page.get_by_role("button", name="学完了，下一课").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("拨打96110")

    # Still offline, after a reload: nothing has reached the server, the queue is kept.
    page.goto(f"{web_server}/courses/{course.slug}/")
    expect(page.get_by_text("手机上有 2 课正在等网络发送。")).to_be_visible()
    assert not LessonProgress.objects.filter(user=learner).exists()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "course-offline-queue-phone.png"), full_page=True)

    # Signal again: both lessons are sent, graded, and recorded once.
    context.set_offline(False)
    expect(page.locator("[data-offline-status]")).to_contain_text("已记录 ✓", timeout=30_000)
    wait_until(lambda: LessonProgress.objects.filter(user=learner).count() == 2)
    assert set(
        LessonProgress.objects.filter(user=learner).values_list("lesson__slug", flat=True)
    ) == {"no-safe-account", "hang-up"}
    assert list(
        OfflineCompletion.objects.filter(user=learner).values_list("outcome", flat=True)
    ) == ["completed", "completed"]

    page.reload()
    expect(page.get_by_text("手机上有")).to_be_hidden()
    time.sleep(1)  # a second page load would send a queue entry again, if one were left
    assert OfflineCompletion.objects.filter(user=learner).count() == 2
    assert LessonProgress.objects.filter(user=learner).count() == 2
    expect(page.locator("li.is-done")).to_have_count(2)

    # Removed, the course no longer opens without signal.
    page.get_by_role("button", name="从手机上删除").click()
    expect(page.get_by_text("已从手机上删除。")).to_be_visible()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("现在没有网络")
    context.close()


def test_learners_sharing_a_phone_keep_their_saved_courses_and_queues_apart(
    web_server, browser, course
):
    UserFactory(username="first")
    UserFactory(username="second")
    context = browser.new_context(**PHONE)
    page = context.new_page()

    sign_in(page, web_server, "first")
    page.goto(f"{web_server}/courses/{course.slug}/")
    page.get_by_role("button", name="保存本课程，离线学习").click()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存在手机上 ✓")).to_be_visible(timeout=30_000)

    context.clear_cookies()  # signed out; the phone's storage stays as it was
    sign_in(page, web_server, "second")
    page.goto(f"{web_server}/courses/{course.slug}/")
    # The second learner sees the course as not saved on this phone.
    expect(page.get_by_role("button", name="保存本课程，离线学习")).to_be_visible()
    expect(page.get_by_role("button", name="从手机上删除")).to_be_hidden()
    context.close()
