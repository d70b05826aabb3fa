"""A self-test's result page lists the questions answered wrongly, each with the right
answer, the learner's and why; the right ones are not repeated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from quizzes.models import Attempt, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def quizzes(question_bank):
    from quizzes.demo import quizzes_seed

    quizzes_seed()


def take(browser: Client, *, wrong_numbers: set[int]) -> tuple[Attempt, list[Question]]:
    browser.post("/quizzes/impersonating-police/start")
    attempt = Attempt.objects.get()
    wrong = []
    for number, item in enumerate(attempt.items, start=1):
        question = Question.objects.get(pk=item["q"])
        right = {o.id for o in question.options.all() if o.is_correct}
        if number in wrong_numbers:
            chosen = [next(o for o in item["o"] if o not in right)]
            wrong.append(question)
        else:
            chosen = sorted(right)
        browser.post(
            f"/quizzes/attempts/{attempt.pk}/answer", {"question": question.id, "option": chosen}
        )
    return attempt, wrong


def test_the_result_lists_each_wrong_answer_with_the_right_one_and_why(quizzes):
    browser = Client()
    attempt, wrong = take(browser, wrong_numbers={1, 3})

    page = browser.get(f"/quizzes/attempts/{attempt.pk}/result/").content.decode()

    listed = page.split('id="wrong-title"', 1)[1]
    assert "您答错的 2 道题" in listed
    for question in wrong:
        assert escape(question.text) in listed
        assert escape(question.explanation) in listed
    answered_right = [Question.objects.get(pk=i["q"]) for i in attempt.items]
    for question in answered_right:
        if question not in wrong:
            assert escape(question.explanation) not in listed
    assert listed.count("（您的答案）") == 2
    assert listed.count("（正确答案）") >= 2


def test_an_all_right_result_lists_no_wrong_answers(quizzes):
    browser = Client()
    attempt, _ = take(browser, wrong_numbers=set())

    page = browser.get(f"/quizzes/attempts/{attempt.pk}/result/").content.decode()

    assert 'id="wrong-title"' not in page
