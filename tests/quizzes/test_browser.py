"""The hosted transfer-check quiz in real Chromium, as the payment app's web view shows it:
on a phone in elder mode through to a heeded outcome and its webhook at a real local
receiver (gunicorn + a real Celery worker); Back after going on; English on a phone and a
desktop; the last explanation, the choice and its outcome in English on a desktop and in
Traditional characters on a phone. Screenshots land in test-results/."""

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from quizzes.models import ApiClient, Question, TransferCheck
from quizzes.webhook_verify import verify
from tests.conftest import RESULTS

from .conftest import check_body
from .factories import api_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_URL = "https://pay.example.cn/transfer/return"
HEIGHT = 844


def create(new, key="browser-1", **changes):
    from rest_framework.test import APIClient

    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {new.api_key}")
    response = http.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body(**changes)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.content
    return response.json()


def in_view(page, locator):
    """Every element the locator finds lies wholly within the 390x844 screen, as it stands:
    seen without scrolling."""
    boxes = [element.bounding_box() for element in locator.all()]
    assert boxes
    for box in boxes:
        assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (box, page.url)


def shot(page, name):
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"transfer-check-{name}.png"))


def answer_rightly(page, question, kind_label):
    right = [o for o in question.options.all() if o.is_correct]
    if question.kind == Question.Kind.MULTIPLE:
        for option in right:
            page.get_by_label(option.text).check()
        page.get_by_role("button", name=kind_label).click()
    else:
        button = page.get_by_role("button", name=right[0].text, exact=True)
        # Large touch targets: at least 1.5 times the 44 px minimum, full width.
        box = button.bounding_box()
        assert box["height"] >= 66 and box["width"] >= 300
        button.click()


def test_an_older_user_answers_on_a_phone_and_stops_the_transfer(
    question_bank, receiver, celery_worker, web_server, phone
):
    # Given a risk system created a check for an older user suspected of a fake-police scam
    new = api_client(webhook_url=receiver.url, return_urls=[RETURN_URL])
    created = create(new, return_url=RETURN_URL)
    page = phone

    # When the user opens the quiz link in the payment app's web view
    page.goto(web_server + urlsplit(created["quiz_url"]).path)
    # Then it is in elder mode, its own calm screen: no site navigation, 96110 one tap away
    expect(page.locator("html")).to_have_class("check elder")
    expect(page.locator(".site-header, .site-nav, .site-footer")).to_have_count(0)
    expect(page.get_by_role("link", name="拨打 96110")).to_have_attribute("href", "tel:96110")
    in_view(page, page.get_by_role("link", name="拨打 96110"))
    # And the first question at once (the link alone does not open the check)
    expect(page.get_by_text("转出 ¥5,000.00 之前")).to_be_visible()
    expect(page.get_by_text("第 1 题，共")).to_be_visible()
    expect(page.get_by_text("安全提示", exact=True)).to_be_visible()
    assert TransferCheck.objects.get(pk=created["id"]).status == "pending"
    shot(page, "first-question-elder")
    total = None
    number = 1
    while True:
        question = Question.objects.get(text=page.locator(".quiz-question:visible").inner_text())
        # Every question's options (and the button that sends them) fit the screen
        in_view(page, page.locator(".quiz-form:visible .quiz-option"))
        in_view(page, page.locator(".quiz-form:visible button").last)
        answer_rightly(page, question, "提交答案")
        check = TransferCheck.objects.get(pk=created["id"])
        total = len(check.items)
        # Then the verdict and the explanation
        expect(page.get_by_role("heading", level=1)).to_have_text("答对了！")
        expect(page.get_by_text(question.explanation)).to_be_visible()
        if number == 1:
            shot(page, "explanation-elder")
        if number == total:
            shot(page, "last-explanation-elder")
            break
        page.get_by_role("link", name="下一题").click()
        number += 1
        expect(page.get_by_text(f"第 {number} 题，共 {total} 题").last).to_be_visible()
        expect(page.locator(".check-feedback")).to_be_hidden()
    assert check.status == "in_progress"
    # The choice is already on the last explanation's screen: "继续" moves to it, no request
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.get_by_role("link", name="继续").click()
    expect(page.locator(".check-feedback")).to_be_hidden()
    assert [url for url in asked if "/t/" in url] == []

    # The end: a clear choice, the amount as people read it, the hotline
    expect(page.get_by_role("heading", level=2)).to_have_text("您还要转这笔钱吗？")
    expect(page.get_by_text("您正要转出 ¥5,000.00。")).to_be_visible()
    # Both buttons on the screen, without scrolling
    in_view(page, page.get_by_role("button", name="停止这笔转账"))
    in_view(page, page.get_by_role("button", name="仍要继续"))
    shot(page, "decide-elder")
    page.get_by_role("button", name="停止这笔转账").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("做得对：这笔转账已停止。")
    expect(page.get_by_role("link", name="返回应用")).to_have_attribute("href", RETURN_URL)
    shot(page, "stopped-elder")

    # And the risk system receives the signed outcome, once
    ((headers, body),) = receiver.wait_for(1)
    event = verify(body, headers, new.webhook_secret)
    assert event["type"] == "transfer_check.completed"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["status"] == "heeded"
    assert event["data"]["score"] == total

    # And the link, opened again, still says what happened
    page.goto(web_server + urlsplit(created["quiz_url"]).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("做得对：这笔转账已停止。")


def test_back_after_going_on_says_the_transfer_is_going_ahead(question_bank, web_server, phone):
    new = api_client(return_urls=[RETURN_URL])
    created = create(new, return_url=RETURN_URL)
    page = phone
    page.goto(web_server + urlsplit(created["quiz_url"]).path)
    while True:
        question = Question.objects.get(text=page.locator(".quiz-question:visible").inner_text())
        answer_rightly(page, question, "提交答案")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if page.get_by_role("link", name="下一题").count() == 0:
            break
        page.get_by_role("link", name="下一题").click()
    page.get_by_role("link", name="继续").click()
    page.get_by_role("button", name="仍要继续").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("这笔转账将继续进行。")

    # When the user presses Back (to the choice they just made)
    page.go_back()

    # Then the screen says plainly that the transfer is going ahead, and how to still stop it
    expect(page.get_by_role("heading", level=1)).to_have_text("这笔转账将继续进行。")
    expect(page.get_by_text("¥5,000.00 将会转出")).to_be_visible()
    expect(page.get_by_text("在支付应用里取消这笔转账")).to_be_visible()
    expect(page.locator(".check-still-stop a[href='tel:96110']")).to_be_visible()
    expect(page.get_by_text("给您信任的家人打个电话")).to_be_visible()
    expect(page.get_by_role("link", name="返回应用")).to_have_attribute("href", RETURN_URL)
    expect(page.get_by_text("已经使用")).to_have_count(0)
    shot(page, "going-ahead-after-back-elder")
    # And again further back, on an answer's screen
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("这笔转账将继续进行。")
    assert TransferCheck.objects.get(pk=created["id"]).status == "proceeded"


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_an_english_check_speaks_english_with_no_language_switch(
    question_bank, web_server, browser, device
):
    from tests.conftest import PHONE

    new = api_client(name=f"risk-{device}")
    created = create(
        new, key=f"en-{device}", subject={"ref": "u-en", "locale": "en", "age_band": "35_59"}
    )
    settings = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}
    context = browser.new_context(**{**settings, "locale": "zh-CN"})
    page = context.new_page()
    try:
        page.goto(web_server + urlsplit(created["quiz_url"]).path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("html")).not_to_have_class("check elder")
        expect(page.get_by_text("Before you send ¥5,000.00")).to_be_visible()
        expect(page.get_by_text("Question 1 of")).to_be_visible()
        expect(page.locator("form[action*='language'], [name='language']")).to_have_count(0)
        # The links: the hotline and nothing else
        hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
        assert hrefs == ["tel:96110"], hrefs
        in_view(page, page.locator(".quiz-option"))
        shot(page, f"first-question-en-{device}")
        # The elder-mode control is there and works
        page.get_by_role("button", name="Elder mode: off").click()
        expect(page.locator("html")).to_have_class("check elder")
        in_view(page, page.locator(".quiz-option"))
        shot(page, f"first-question-en-{device}-elder")
    finally:
        context.close()
    assert ApiClient.objects.filter(name=f"risk-{device}").exists()


@pytest.mark.parametrize("locale", ["zh-hans", "en"])
def test_every_demo_question_fits_an_elder_mode_phone_screen(
    db, web_server, phone, locale, client_key
):
    """The demo bank's longest scenarios too: each question's options and its send button
    lie within 390x844 in elder mode, with nothing scrolled."""
    from quizzes.demo import demo_questions_seed

    demo_questions_seed()
    new = api_client(name=f"fit-{locale}")
    subject = {"ref": "u-fit", "locale": locale, "age_band": "60_plus"}
    created = create(new, key=f"fit-{locale}", subject=subject)
    path = urlsplit(created["quiz_url"]).path
    too_tall = []
    questions = Question.objects.filter(language=locale, status=Question.Status.PUBLISHED)
    assert questions.count() >= 40
    for question in questions:
        options = [o.id for o in question.options.all()]
        TransferCheck.objects.filter(pk=created["id"]).update(
            status="in_progress", items=[{"q": question.id, "o": options}], answers={}
        )
        phone.goto(web_server + path)
        expect(phone.locator("html")).to_have_class("check elder")
        controls = phone.locator(".quiz-form .quiz-option, .quiz-form button").all()
        lowest = max(c.bounding_box()["y"] + c.bounding_box()["height"] for c in controls)
        if lowest > HEIGHT or phone.evaluate("window.scrollY") != 0:
            too_tall.append((question.key, round(lowest)))
    assert too_tall == [], too_tall


LAST_STEPS = {
    # locale: right, next, continue, the choice, its amount line, stop, stopped
    "en": (
        "Right!",
        "Next question",
        "Continue",
        "Will you make this transfer?",
        "You are about to send ¥5,000.00.",
        "Stop this transfer",
        "Good decision: the transfer is stopped.",
    ),
    "zh-hant": (
        "答對了！",
        "下一題",
        "繼續",
        "您還要轉這筆錢嗎？",
        "您正要轉出 ¥5,000.00。",
        "停止這筆轉帳",
        "做得對：這筆轉帳已停止。",
    ),
}


@pytest.mark.parametrize(("locale", "device"), [("en", "desktop"), ("zh-hant", "phone")])
def test_the_last_steps_read_in_the_checks_language(
    question_bank, web_server, browser, locale, device
):
    from tests.conftest import PHONE

    right, next_label, go_on, choice, amount, stop, stopped = LAST_STEPS[locale]
    new = api_client(name=f"risk-last-{locale}")
    created = create(
        new,
        key=f"last-{locale}",
        subject={"ref": "u-last", "locale": locale, "age_band": "60_plus"},
    )
    settings = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}
    context = browser.new_context(**{**settings, "locale": "zh-CN"})
    page = context.new_page()
    try:
        # Given a check walked through to its last explanation, answering rightly
        page.goto(web_server + urlsplit(created["quiz_url"]).path)
        while True:
            form = page.locator(".quiz-form:visible")
            question = Question.objects.get(pk=form.locator("input[name=question]").input_value())
            right_ids = [o.pk for o in question.options.all() if o.is_correct]
            if question.allows_several:
                for pk in right_ids:
                    form.locator(f"input[value='{pk}']").check()
                form.locator(".quiz-submit").click()
            else:
                form.locator(f"button[value='{right_ids[0]}']").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(right)
            if page.get_by_role("link", name=next_label).count() == 0:
                break
            page.get_by_role("link", name=next_label).click()
        shot(page, f"last-explanation-{locale}-{device}")

        # When the user goes on to the choice
        page.get_by_role("link", name=go_on).click()

        # Then the choice, its amount and its buttons are in the check's language, on screen
        expect(page.get_by_role("heading", level=2)).to_have_text(choice)
        expect(page.get_by_text(amount)).to_be_visible()
        button = page.get_by_role("button", name=stop)
        expect(button).to_be_in_viewport()
        shot(page, f"decide-{locale}-{device}")
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(stopped)
        shot(page, f"stopped-{locale}-{device}")
    finally:
        context.close()
    assert TransferCheck.objects.get(pk=created["id"]).status == "heeded"
