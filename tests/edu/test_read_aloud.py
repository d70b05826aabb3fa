"""Read aloud on lessons: offered only where the device has a Chinese voice, and then it reads
the lesson's title and text with that voice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PHONE, RESULTS
from tests.quizzes.conftest import question_bank as question_bank  # a fixture
from tests.quizzes.test_browser import in_view

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A device with one Chinese voice: the browser's speech engine, recording what it is asked to
# say (headless Chromium has no voices, and no loudspeaker to listen to).
ONE_CHINESE_VOICE = """
(() => {
  const spoken = [];
  window.__spoken = spoken;
  const voice = { name: "Ting-Ting", lang: "zh-CN", default: true, localService: true };
  const synth = new EventTarget();
  synth.getVoices = () => [voice];
  synth.speak = (u) => spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name });
  synth.cancel = () => spoken.push({ cancel: true });
  Object.defineProperty(window, "speechSynthesis", { value: synth });
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
})();
"""


def test_without_a_voice_there_is_no_read_aloud_button(web_server, browser, course):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.add_init_script(
        "Object.defineProperty(window, 'speechSynthesis', {value: "
        "Object.assign(new EventTarget(), {getVoices: () => []})})"
    )
    page.goto(f"{web_server}/courses/{course.slug}/no-safe-account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("没有安全账户")
    page.wait_for_timeout(300)
    expect(page.get_by_role("button", name="朗读")).to_have_count(0)
    context.close()


def test_with_a_chinese_voice_the_lesson_is_read_aloud_and_can_be_stopped(
    web_server, browser, course
):
    context = browser.new_context(**PHONE)
    context.add_init_script(ONE_CHINESE_VOICE)
    page = context.new_page()
    page.goto(f"{web_server}/courses/{course.slug}/no-safe-account/")

    button = page.get_by_role("button", name="朗读")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")  # by keyboard, as by touch

    spoken = page.evaluate("window.__spoken")
    said = "".join(item.get("text", "") for item in spoken)
    assert said.startswith("没有安全账户")
    assert "安全账户" in said[len("没有安全账户") :]  # the lesson text follows the title
    assert {item["lang"] for item in spoken if "text" in item} == {"zh-CN"}
    stop = page.get_by_role("button", name="停止朗读")
    expect(stop).to_have_attribute("aria-pressed", "true")
    stop.click()
    expect(page.get_by_role("button", name="朗读")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__spoken.at(-1)") == {"cancel": True}
    context.close()


def test_the_hosted_quiz_reads_its_question_aloud_with_a_chinese_voice(
    web_server, browser, question_bank
):
    import json
    from urllib.parse import urlsplit

    from rest_framework.test import APIClient

    from quizzes.models import Question
    from tests.quizzes.conftest import check_body
    from tests.quizzes.factories import api_client

    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {api_client().api_key}")
    created = http.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body()),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="read-aloud-1",
    ).json()
    context = browser.new_context(**PHONE)
    context.add_init_script(ONE_CHINESE_VOICE)
    page = context.new_page()
    page.goto(web_server + urlsplit(created["quiz_url"]).path)

    question = Question.objects.get(text=page.locator(".quiz-question:visible").inner_text())
    # Offered, it still leaves every option and the hotline on the elder-mode screen.
    expect(page.get_by_role("button", name="朗读").first).to_be_visible()
    page.screenshot(path=str(RESULTS / "transfer-check-read-aloud-elder.png"))
    in_view(page, page.locator(".quiz-form:visible .quiz-option"))
    in_view(page, page.locator(".quiz-form:visible button").last)
    page.get_by_role("button", name="朗读").first.click()

    said = "".join(item.get("text", "") for item in page.evaluate("window.__spoken"))
    assert question.text in said
    if question.scenario:
        assert said.startswith(question.scenario[:10])
    context.close()
