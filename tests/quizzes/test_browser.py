"""The hosted transfer-check quiz in real Chromium on a phone, through to a heeded outcome
and its webhook at a real local receiver (gunicorn + a real Celery worker)."""

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from quizzes.models import Question, TransferCheck
from quizzes.webhook_verify import verify
from tests.conftest import RESULTS

from .conftest import check_body
from .factories import api_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_older_user_answers_on_a_phone_and_stops_the_transfer(
    question_bank, receiver, celery_worker, web_server, phone
):
    from rest_framework.test import APIClient

    # Given a risk system created a check for an older user suspected of a fake-police scam
    new = api_client(webhook_url=receiver.url)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {new.api_key}")
    created = http.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body()),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="browser-1",
    ).json()
    page = phone

    # When the user opens the quiz link in the payment app's web view
    page.goto(web_server + urlsplit(created["quiz_url"]).path)
    expect(page.locator("html")).to_have_class("elder")
    # Then a first screen says what comes, and opening the link has not opened the check
    expect(page.get_by_role("heading", level=1)).to_have_text("转账前的简短安全检查")
    assert TransferCheck.objects.get(pk=created["id"]).status == "pending"
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "transfer-check-start.png"), full_page=True)
    page.get_by_role("button", name="开始").click()
    expect(page.get_by_text("第 1 题，共")).to_be_visible()
    check = TransferCheck.objects.get(pk=created["id"])
    assert check.status == "in_progress"
    for number, item in enumerate(check.items, start=1):
        question = Question.objects.get(pk=item["q"])
        expect(page.get_by_text(f"第 {number} 题，共 {len(check.items)} 题")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(question.text)
        right = [o for o in question.options.all() if o.is_correct]
        if question.kind == Question.Kind.MULTIPLE:
            for option in right:
                page.get_by_label(option.text).check()
            page.get_by_role("button", name="提交答案").click()
        else:
            button = page.get_by_role("button", name=right[0].text)
            # Huge touch targets: at least 1.5 times the 44 px minimum, full width.
            box = button.bounding_box()
            assert box["height"] >= 66 and box["width"] >= 300
            button.click()
        # Then after each answer: the verdict and the explanation
        expect(page.get_by_role("heading", level=1)).to_have_text("答对了！")
        expect(page.get_by_text(question.explanation)).to_be_visible()
        page.get_by_role("link", name="继续" if number == len(check.items) else "下一题").click()

    # The end: a clear choice with the hotline shown
    expect(page.get_by_role("heading", level=1)).to_have_text("您还要转这笔钱吗？")
    expect(page.get_by_role("link", name="96110").first).to_be_visible()
    page.screenshot(path=str(RESULTS / "transfer-check-decide.png"), full_page=True)
    page.get_by_role("button", name="停止这笔转账").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("做得对：这笔转账已停止。")

    # And the risk system receives the signed outcome, once
    ((headers, body),) = receiver.wait_for(1)
    event = verify(body, headers, new.webhook_secret)
    assert event["type"] == "transfer_check.completed"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["status"] == "heeded"
    assert event["data"]["score"] == len(check.items)

    # And the link, used, now says so
    page.goto(web_server + urlsplit(created["quiz_url"]).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("此链接已经使用过")
