"""What a learner sees, in real Chromium on a phone-sized screen, against gunicorn and a real
Celery worker."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from quizzes.demo import DEFAULT_QUESTIONS, questions_load
from quizzes.models import Question
from tests.conftest import RESULTS
from tests.quizzes.conftest import contract_codes

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def police_questions(db):
    """The real demo questions on the lesson check's scam type, published in the bank."""
    contract_codes()
    entries = json.loads(DEFAULT_QUESTIONS.read_text("utf-8"))
    questions_load(entries=[e for e in entries if e["scam_type"] == "impersonating_police"])


def answer_the_check(page, *, correctly: bool) -> int:
    """Answer every question the lesson shows, rightly or wrongly, as a learner would by
    tapping the options; the right ones are looked up in the bank by the option's id."""
    questions = page.locator("fieldset.question")
    for i in range(questions.count()):
        question = questions.nth(i)
        text = question.locator(".check-question").inner_text().strip()
        right = {
            str(o.id)
            for o in Question.objects.get(language="zh-hans", text=text).options.all()
            if o.is_correct
        }
        options = question.locator("label.quiz-option")
        for j in range(options.count()):
            choice = options.nth(j).locator("input")
            is_right = choice.get_attribute("value") in right
            if correctly:
                if is_right:
                    choice.check()
                elif choice.get_attribute("type") == "checkbox":
                    choice.uncheck()  # a retry also unticks a wrong box
            elif not is_right:
                choice.check()
                break
    return questions.count()


def question_texts(page) -> list[str]:
    return page.locator("fieldset.question .check-question").all_inner_texts()


def test_a_new_learner_signs_up_completes_a_course_on_a_phone_and_opens_the_certificate_check(
    course, police_questions, celery_worker, web_server, browser, phone
):
    page = phone
    page.goto(web_server + "/accounts/signup/")
    page.get_by_label("用户名").fill("xiaomei")
    page.get_by_label("您的姓名").fill("林𠮷美")
    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_label("我已阅读并同意隐私声明").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("林𠮷美")

    page.get_by_text("菜单").click()  # the phone's menu holds the links
    page.get_by_role("link", name="课程", exact=True).click()
    page.get_by_role("link", name="测试课程：识破冒充公检法").click()
    expect(page.get_by_text("3 个课时中已完成 0 个")).to_be_visible()
    page.get_by_role("link", name="开始学习").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("没有安全账户")
    # Large type for the rest of the course; the progress bar is named for screen readers.
    page.get_by_role("button", name="长辈模式：关").click()
    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("progressbar", name="3 个课时中已完成 0 个")).to_be_visible()
    page.get_by_role("button", name="学完了，下一课").click()
    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("heading", level=1)).to_have_text("挂断电话再核实")
    # The lesson ends in a knowledge check from the question bank: wrong answers are
    # refused, each with the right answer, theirs and why, where the learner is (not at the
    # top of the lesson); the same questions are asked again; right ones move on.
    # In elder mode its options are as large as a self-test's (a self-test option button,
    # made on the same page for comparison).
    option = page.locator("fieldset.question label.quiz-option").first
    size = "e => [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height]"
    self_test = page.evaluate(
        f"""() => {{ const b = document.createElement('button'); b.className = 'quiz-option';
        b.textContent = '对'; document.querySelector('main').append(b);
        const s = ({size})(b); b.remove(); return s; }}"""
    )
    font, height = option.evaluate(size)
    assert font == self_test[0] >= 26 and height >= self_test[1]
    asked = answer_the_check(page, correctly=False)
    assert asked == 3
    first = question_texts(page)
    page.get_by_role("button", name="学完了，下一课").click()
    verdict = page.get_by_text(f"您答对了 {asked} 题中的 0 题")
    expect(verdict).to_be_visible()
    expect(verdict).to_be_focused()
    expect(verdict).to_be_in_viewport()
    assert page.evaluate("scrollY") > 0  # still at the check, below the lesson
    expect(page.get_by_role("heading", level=1)).to_have_text("挂断电话再核实")
    expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()
    expect(page.locator("fieldset.question .check-verdict")).to_have_text(["✗ 答得不对。"] * 3)
    for question in page.locator("fieldset.question").all():
        expect(question.get_by_text("（您的答案）")).to_have_count(1)
        assert question.get_by_text("（正确答案）").count() >= 1
        expect(question.get_by_role("heading", name="为什么")).to_be_visible()
    assert question_texts(page) == first
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "lesson-check-feedback-phone-elder.png"))
    answer_the_check(page, correctly=True)
    page.get_by_role("button", name="学完了，下一课").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("拨打96110")
    page.get_by_role("button", name="学完了，完成课程").click()

    expect(page.get_by_role("status")).to_contain_text("您已学完这门课程")
    expect(page.get_by_text("3 个课时中已完成 3 个")).to_be_visible()
    page.get_by_role("link", name="查看您的证书").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("此证书有效。")
    expect(page.get_by_text("林𠮷美")).to_be_visible()
    # The worker renders the files; the page offers them once they exist.
    for _ in range(60):
        if page.get_by_role("link", name="下载 PDF").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    pdf = page.get_by_role("link", name="下载 PDF")
    expect(pdf).to_have_attribute("href", re.compile(r"\.pdf$"))
    assert page.request.get(web_server + pdf.get_attribute("href")).body().startswith(b"%PDF")
    # The file is the learner's own: a stranger's browser gets a plain 404.
    stranger = browser.new_context()
    assert stranger.request.get(web_server + pdf.get_attribute("href")).status == 404
    stranger.close()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "certificate-check-phone.png"), full_page=True)


def message_look(page, text: str) -> dict[str, str]:
    message = page.locator(".message", has_text=text)
    expect(message).to_be_visible()
    return message.evaluate(
        """m => ({
            mark: m.querySelector('.message-mark').textContent.trim(),
            background: getComputedStyle(m).backgroundColor,
            border: getComputedStyle(m).borderLeftColor,
            role: m.getAttribute('role'),
            said: m.textContent.replace(/\\s+/g, ' ').trim(),
        })"""
    )


def test_success_and_error_messages_differ_by_mark_and_colour(
    course, police_questions, web_server, phone
):
    page = phone
    # An error: the lesson's form sent after the session was lost (the questions unknown)
    page.goto(web_server + f"/courses/{course.slug}/hang-up/")
    answer_the_check(page, correctly=True)
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="学完了，下一课").click()
    error = message_look(page, "请回答课程末尾的问题")
    page.screenshot(path=str(RESULTS / "message-error-phone.png"))

    # A success: signing up
    page.goto(web_server + "/accounts/signup/")
    page.get_by_label("用户名").fill("xiaomei")
    page.get_by_label("密码", exact=True).fill("lanmajia-2026")
    page.get_by_label("再次输入密码").fill("lanmajia-2026")
    page.get_by_label("我已阅读并同意隐私声明").check()
    page.get_by_role("button", name="注册").click()
    success = message_look(page, "欢迎")
    page.screenshot(path=str(RESULTS / "message-success-phone.png"))

    assert (error["mark"], success["mark"]) == ("✗", "✓")  # a shape, not only a colour
    assert error["background"] != success["background"]
    assert error["border"] != success["border"]
    # A screen reader hears which kind it is, and an error is announced at once.
    assert error["said"].startswith("✗ 出错了：") and success["said"].startswith("✓ 已完成：")
    assert (error["role"], success["role"]) == ("alert", "status")
