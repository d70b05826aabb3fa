"""A lesson's knowledge check after a wrong try: what was right or wrong and why, at the check
(not the top of the lesson), and the same questions again until passed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from edu.models import LessonProgress
from tests.factories import UserFactory
from tests.quizzes.conftest import contract_codes
from tests.quizzes.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def lesson_url(course, slug="hang-up"):
    return reverse("edu:lesson", args=[course.slug, slug])


def complete_url(course, slug="hang-up"):
    return reverse("edu:lesson-complete", args=[course.slug, slug])


def served(html: str) -> list[int]:
    """The ids of the questions the page asks, in order."""
    return list(dict.fromkeys(int(i) for i in re.findall(r'name="q-(\d+)"', html)))


@pytest.fixture
def bank():
    """Six questions on the lesson's scam type: more than the three a check asks."""
    contract_codes()
    return [
        QuestionFactory(
            text=f"第 {n} 题：来电自称警察，要您转账到“安全账户”，怎么办？",
            explanation=f"解释 {n}：公检法不会让您转账，挂断后拨打96110。",
            options=[("马上转账", False), ("挂断，拨打96110核实", True)],
        )
        for n in range(6)
    ]


def answers(html: str, bank, *, right: bool) -> dict[str, str]:
    by_id = {q.id: q for q in bank}
    return {f"q-{qid}": str(by_id[qid].options.get(is_correct=right).id) for qid in served(html)}


def test_a_wrong_try_comes_back_at_the_check_showing_the_right_answer_theirs_and_why(
    course, client, bank
):
    # Given a learner on a lesson with a check
    user = UserFactory()
    client.force_login(user)
    page = client.get(lesson_url(course)).content.decode()
    asked = served(page)

    # When they answer every question wrongly
    answer = client.post(complete_url(course), answers(page, bank, right=False))

    # Then they come back to the check itself, not the top of the lesson
    assert answer.status_code == 302
    assert answer.url == lesson_url(course) + "#check-result"
    again = client.get(lesson_url(course)).content.decode()
    check = again.split('id="check"', 1)[1]
    # with the verdict, and for each question its right answer, theirs (still ticked), why
    assert "您答对了 3 题中的 0 题。请看下面的解释，再答一次。" in check
    assert check.count("（正确答案）") == 3
    assert check.count("（您的答案）") == 3
    assert check.count("答得不对。") == 3
    for question in bank:
        if question.id in asked:
            assert f"解释 {bank.index(question)}：" in check
            wrong = question.options.get(is_correct=False).id
            assert re.search(rf'value="{wrong}"[^>]*checked', check)
    # and the same questions, in the same order, to answer again
    assert served(again) == asked
    assert not LessonProgress.objects.filter(user=user, lesson__slug="hang-up").exists()


def test_before_any_try_the_check_tells_nothing_of_the_answers(course, client, bank):
    page = client.get(lesson_url(course)).content.decode()

    assert "（正确答案）" not in page and "解释" not in page and " checked" not in page


def test_the_same_questions_are_asked_until_passed_then_the_lesson_is_done(course, client, bank):
    user = UserFactory()
    client.force_login(user)
    page = client.get(lesson_url(course)).content.decode()
    for _ in range(3):  # however many wrong tries, and reloads in between
        client.post(complete_url(course), answers(page, bank, right=False))
        assert served(client.get(lesson_url(course)).content.decode()) == served(page)

    passed = client.post(complete_url(course), answers(page, bank, right=True))

    assert passed.url == lesson_url(course, "call-96110")
    assert LessonProgress.objects.filter(user=user, lesson__slug="hang-up").exists()
    # Once passed, the review is gone: the lesson shows its check afresh.
    assert "（您的答案）" not in client.get(lesson_url(course)).content.decode()


def test_a_guest_gets_the_same_review_and_retry(course, client, bank):
    page = client.get(lesson_url(course)).content.decode()

    client.post(complete_url(course), answers(page, bank, right=False))
    again = client.get(lesson_url(course)).content.decode()

    assert served(again) == served(page)
    assert again.count("（正确答案）") == 3


def test_the_review_is_in_english_for_an_english_page(course, client, bank):
    bank = [
        QuestionFactory(
            language="en",
            text=f"Question {n}: a caller says he is the police. What do you do?",
            explanation="The police never ask for a transfer.",
            options=[("Transfer", False), ("Hang up and call 96110", True)],
        )
        for n in range(3)
    ]
    client.cookies["django_language"] = "en"
    page = client.get(lesson_url(course)).content.decode()

    client.post(complete_url(course), answers(page, bank, right=False))
    again = client.get(lesson_url(course)).content.decode()

    assert "You answered 0 of 3 correctly. Read why below, then answer again." in again
    assert again.count("(right answer)") == 3
