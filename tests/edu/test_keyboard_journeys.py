"""Every main journey by keyboard alone, in real Chromium: finish a course (its knowledge
check included), answer a transfer quiz to its end, log a field session. No click, no fill:
Tab, Shift+Tab, arrows, Space, Enter and typing, as a person with no pointer does. Feedback
and states are read from the accessibility tree, as a screen reader gets them."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from campaigns.models import SessionLog
from edu.models import LessonProgress
from quizzes.models import Question, TransferCheck
from tests.campaigns.factories import CampaignFactory, region_tree, volunteer_in
from tests.conftest import PHONE
from tests.edu.test_browser import police_questions as police_questions  # a fixture
from tests.factories import UserFactory
from tests.quizzes.conftest import check_body
from tests.quizzes.conftest import question_bank as question_bank  # a fixture
from tests.quizzes.factories import api_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-42"


def focused(page) -> str:
    """What the focused element is called: its label, its text or its value."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return "";
          const byId = el.id && document.querySelector(`label[for="${el.id}"]`);
          const label = el.getAttribute("aria-label") || (byId && byId.innerText)
            || (el.closest("label") && el.closest("label").innerText);
          return (label || el.innerText || el.value || "").trim();
        }"""
    )


def tab_to(page, name: str, *, exact: bool = False, limit: int = 80) -> None:
    """Press Tab until the focus is on the control called ``name``; fail if it never is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if (now == name) if exact else (name in now):
            # The focus can be seen where it is (WCAG 2.4.7): an outline or a ring.
            ring = page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                  return s.outlineStyle !== "none" || s.boxShadow !== "none"; }"""
            )
            assert ring, f"no visible focus on {name!r}"
            return
    raise AssertionError(f"Tab never reached {name!r}; last focus: {focused(page)!r}")


def sign_in_by_keyboard(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    tab_to(page, "用户名")
    page.keyboard.type(username)
    tab_to(page, "密码", exact=True)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose_by_keyboard(page, group, right: set[str]) -> None:
    """Answer the question of this fieldset rightly: Tab into its radio group and move with
    the arrows (which select) to the right option."""
    labels = [label.inner_text().strip() for label in group.locator("label.quiz-option").all()]
    tab_to(page, labels[0], exact=True)
    multiple = group.locator("input[type=checkbox]").count() > 0
    for _ in range(len(labels)):
        if focused(page) in right:
            page.keyboard.press("Space")  # a focused radio is not chosen until Space
            if not multiple:
                return
        if multiple:
            page.keyboard.press("Tab")
        else:
            page.keyboard.press("ArrowDown")
    if multiple:
        return
    raise AssertionError(f"no right option reached among {labels!r}")


def test_a_learner_finishes_a_course_by_keyboard_alone(
    web_server, browser, course, police_questions
):
    UserFactory(username="keyboard")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in_by_keyboard(page, web_server, "keyboard")

    page.goto(f"{web_server}/courses/{course.slug}/")
    tab_to(page, "开始学习")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("没有安全账户")
    tab_to(page, "学完了，下一课")
    page.keyboard.press("Enter")

    # The lesson with a knowledge check: every question answered by arrows, sent by Enter.
    expect(page.get_by_role("heading", level=1)).to_have_text("挂断电话再核实")
    groups = page.locator("fieldset.question").all()
    assert groups
    for group in groups:
        text = group.locator(".check-question").inner_text().strip()
        question = Question.objects.filter(text=text).first()
        assert question is not None, text
        right = {o.text for o in question.options.all() if o.is_correct}
        choose_by_keyboard(page, group, right)
    tab_to(page, "学完了，下一课")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("拨打96110")
    tab_to(page, "学完了，完成课程")
    page.keyboard.press("Enter")
    # The success message is announced (a status) and the course reads as done.
    expect(page.get_by_role("status").filter(has_text="您已学完这门课程")).to_be_visible()
    assert LessonProgress.objects.filter(user__username="keyboard").count() == 3
    context.close()


def test_a_transfer_quiz_is_answered_to_its_end_by_keyboard_alone(
    question_bank, web_server, browser
):
    from rest_framework.test import APIClient

    new = api_client()
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {new.api_key}")
    created = http.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body()),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="keyboard-1",
    ).json()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(web_server + urlsplit(created["quiz_url"]).path)

    while True:
        question = Question.objects.get(text=page.locator(".quiz-question:visible").inner_text())
        right = [o.text for o in question.options.all() if o.is_correct]
        if question.kind == Question.Kind.MULTIPLE:
            for text in right:
                tab_to(page, text)
                page.keyboard.press("Space")
            tab_to(page, "提交答案")
        else:
            tab_to(page, right[0], exact=True)
        page.keyboard.press("Enter")
        # The verdict is in the accessibility tree as a heading a screen reader lands on.
        expect(page.get_by_role("heading", level=1)).to_have_text("答对了！")
        check = TransferCheck.objects.get(pk=created["id"])
        if page.get_by_role("link", name="下一题").count() == 0:
            break
        tab_to(page, "下一题")
        page.keyboard.press("Enter")
    # The choice is below the last explanation; "继续" moves there within the page
    tab_to(page, "继续")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("您还要转这笔钱吗？")
    tab_to(page, "停止这笔转账")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("做得对：这笔转账已停止。")
    check.refresh_from_db()
    assert check.status == TransferCheck.Status.HEEDED
    context.close()


def test_a_volunteer_logs_a_session_by_keyboard_alone_and_hears_it_was_sent(web_server, browser):
    regions = region_tree()
    campaign = CampaignFactory(name="金融教育进百县")
    campaign.target_counties.set([regions["leishan"]])
    volunteer_in(campaign, regions["leishan"], username="lanmajia")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in_by_keyboard(page, web_server, "lanmajia")

    page.goto(web_server + "/campaigns/log/")
    tab_to(page, "场所名称")
    page.keyboard.type("西江村村委会")
    tab_to(page, "60 岁及以上")
    page.keyboard.type("18")
    tab_to(page, "保存记录")
    page.keyboard.press("Enter")

    # The save state is announced: a live region says it was sent, by words not colour.
    state = page.locator("[data-save-state]")
    expect(state).to_have_text("已发送 ✓", timeout=30_000)
    live = page.evaluate(
        """() => { const el = document.querySelector("[data-save-state]");
          const region = el.closest("[aria-live], [role=status], [role=alert]");
          return region ? region.getAttribute("aria-live") || region.getAttribute("role") : ""; }"""
    )
    assert live in {"polite", "assertive", "status", "alert"}
    snapshot = page.locator("main").aria_snapshot()
    assert "已发送 ✓" in snapshot
    assert SessionLog.objects.filter(venue_name="西江村村委会", attendees_elderly=18).count() == 1
    context.close()
