"""Learners' self-tests, as a person clicks through them (the hosted transfer-check quiz:
test_check_pages.py)."""

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from quizzes.models import Attempt, Question, TransferCheck
from tests.factories import UserFactory

from .conftest import new_check

# --- Learners -------------------------------------------------------------------------------


@pytest.fixture
def quizzes(question_bank):
    from quizzes.demo import quizzes_seed

    quizzes_seed()


@pytest.mark.django_db
def test_a_learner_takes_a_self_test_and_sees_the_result(quizzes):
    browser = Client()
    listing = browser.get("/quizzes/")
    assert "冒充公检法" in listing.content.decode()

    start = browser.post("/quizzes/impersonating-police/start")
    attempt = Attempt.objects.get()
    assert start["Location"] == f"/quizzes/attempts/{attempt.pk}/"
    for number, item in enumerate(attempt.items, start=1):
        question = Question.objects.get(pk=item["q"])
        right = [o.id for o in question.options.all() if o.is_correct]
        answered = browser.post(
            f"/quizzes/attempts/{attempt.pk}/answer", {"question": question.id, "option": right}
        )
        feedback = browser.get(answered["Location"])
        assert escape(question.explanation) in feedback.content.decode()
        assert answered["Location"].endswith(f"/feedback/{number}/")

    result = browser.get(f"/quizzes/attempts/{attempt.pk}/result/")
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert attempt.score == attempt.total == 4
    assert "4" in result.content.decode()


@pytest.mark.django_db
def test_the_mixed_quiz_spreads_over_scam_types(quizzes):
    browser = Client()
    browser.post("/quizzes/mixed/start")

    attempt = Attempt.objects.get()
    types = {Question.objects.get(pk=i["q"]).scam_type_id for i in attempt.items}
    assert len(types) == 3  # the fixture bank's three types


@pytest.mark.django_db
def test_someone_elses_attempt_is_not_found(quizzes):
    Client().post("/quizzes/mixed/start")
    attempt = Attempt.objects.get()

    assert Client().get(f"/quizzes/attempts/{attempt.pk}/").status_code == 404


@pytest.mark.django_db
def test_answering_twice_does_not_change_the_first_answer(quizzes):
    browser = Client()
    browser.post("/quizzes/fake-loan/start")
    attempt = Attempt.objects.get()
    question = Question.objects.get(pk=attempt.items[0]["q"])
    wrong, right = (
        next(o.id for o in question.options.all() if not o.is_correct),
        next(o.id for o in question.options.all() if o.is_correct),
    )
    browser.post(
        f"/quizzes/attempts/{attempt.pk}/answer", {"question": question.id, "option": wrong}
    )
    browser.post(
        f"/quizzes/attempts/{attempt.pk}/answer", {"question": question.id, "option": right}
    )

    attempt.refresh_from_db()
    assert attempt.answers == {str(question.id): [wrong]}
    assert attempt.score == 0


# --- Staff figures --------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_heeding_rate_and_protected_funds(
    api, question_bank, django_assert_max_num_queries
):
    from django.utils import timezone

    from reach.services import reach_refresh

    now = timezone.now()
    for status, resolution in (("heeded", "cancelled"), ("proceeded", "completed")):
        check, _ = new_check(api)
        TransferCheck.objects.filter(pk=check.pk).update(
            status=status,
            resolution=resolution,
            opened_at=now,
            completed_at=now,
            resolved_at=now,
        )
    reach_refresh()  # the page reads the reach summary tables
    staff = UserFactory(roles=[Role.STAFF])
    learner = UserFactory(roles=[Role.LEARNER])
    browser = Client()

    browser.force_login(learner)
    assert browser.get("/quizzes/figures/").status_code == 403
    browser.force_login(staff)
    with django_assert_max_num_queries(12):  # session, user, permissions, as-of, 4 tables, names
        page = browser.get("/quizzes/figures/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "50%" in html
    assert "5,000.00" in html
    assert "冒充公检法" in html
    assert timezone.localdate().isoformat() in html  # the by-day table


@pytest.mark.django_db
def test_a_fixed_quiz_asks_its_questions_in_order_with_shuffled_options(question_bank):
    from quizzes.models import Quiz
    from quizzes.services import attempt_start

    quiz = Quiz.objects.create(
        slug="police-basics",
        title_zh_hans="公检法",
        title_en="Police",
        fixed_keys=["impersonating_police-03", "impersonating_police-01"],
        is_published=True,
    )
    orders = set()
    for _ in range(12):
        attempt = attempt_start(quiz=quiz, user=None, language="zh-hans")
        keys = [Question.objects.get(pk=i["q"]).key for i in attempt.items]
        assert keys == ["impersonating_police-03", "impersonating_police-01"]
        orders.add(tuple(attempt.items[0]["o"]))
    assert len(orders) > 1  # options are shuffled per attempt


@pytest.mark.django_db
def test_the_result_page_recommends_the_course_on_that_scam_type(quizzes):
    from tests.edu.factories import CourseFactory

    CourseFactory(slug="broad", scam_types=["impersonating_police", "romance"], title_zh="综合")
    CourseFactory(slug="police", scam_types=["impersonating_police"], title_zh="识破冒充公检法")
    browser = Client()
    browser.post("/quizzes/impersonating-police/start")
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())

    page = browser.get(f"/quizzes/attempts/{attempt.pk}/result/")

    # The focused micro-course beats the broad one.
    assert '<a href="/courses/police/">识破冒充公检法</a>' in page.content.decode()


@pytest.mark.django_db
def test_no_course_is_recommended_when_none_teaches_the_scam_type(quizzes):
    browser = Client()
    browser.post("/quizzes/impersonating-police/start")
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())

    page = browser.get(f"/quizzes/attempts/{attempt.pk}/result/")

    assert "推荐课程" not in page.content.decode()


@pytest.mark.django_db
def test_webhook_dispatch_expiry_and_key_purge_are_scheduled_for_beat():
    from django_celery_beat.models import PeriodicTask

    tasks = dict(PeriodicTask.objects.filter(enabled=True).values_list("task", "interval__every"))

    assert tasks["quizzes.webhooks_dispatch_due"] == 15
    assert tasks["quizzes.transfer_checks_expire_due"] == 60
    assert tasks["quizzes.idempotency_keys_purge"] == 3600
