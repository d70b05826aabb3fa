"""The hosted transfer-check quiz and learners' self-tests, as a person clicks through them."""

import json
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from quizzes.models import Attempt, Question, TransferCheck, WebhookEvent
from quizzes.services import quiz_token
from tests.factories import UserFactory

from .conftest import check_body


def new_check(api, **changes):
    response = api.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body(**changes)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    body = response.json()
    return TransferCheck.objects.get(pk=body["id"]), urlsplit(body["quiz_url"]).path


def start(browser, path):
    """Press Start on the quiz's first screen; returns the page it leads to."""
    browser.get(path)
    started = browser.post(f"{path}start")
    assert started.status_code == 302
    assert started["Location"] == path
    return browser.get(path)


def answer_all(browser, path, check, right=True):
    """Answer every question (rightly or wrongly); returns the pages seen."""
    pages = []
    page = start(browser, path)
    for number in range(1, 6):
        check.refresh_from_db()
        if len(check.answers) == len(check.items):
            break
        item = check.items[len(check.answers)]
        question = Question.objects.get(pk=item["q"])
        correct = [o.id for o in question.options.all() if o.is_correct]
        wrong = [o.id for o in question.options.all() if not o.is_correct][:1]
        page = browser.post(
            f"{path}answer", {"question": question.id, "option": correct if right else wrong}
        )
        assert page.status_code == 302
        assert page["Location"] == f"{path}feedback/{number}/"
        pages.append(browser.get(page["Location"]))
    return pages


@pytest.mark.django_db
def test_the_quiz_shows_one_question_without_revealing_the_answer(api, question_bank):
    check, path = new_check(api)

    page = start(Client(), path)

    assert page.status_code == 200
    html = page.content.decode()
    check.refresh_from_db()
    assert check.status == "in_progress"
    assert 3 <= check.total <= 5
    first = Question.objects.get(pk=check.items[0]["q"])
    assert first.language == "zh-hans"
    assert first.scam_type.code == "impersonating_police"
    assert escape(first.text) in html
    assert f"第 1 题，共 {check.total} 题" in html
    assert "correct" not in html.lower().replace("is-correct", "")
    for option in first.options.all():
        assert escape(option.text) in html


@pytest.mark.django_db
def test_after_each_answer_the_explanation_is_shown(api, question_bank):
    check, path = new_check(api, subject={"ref": "u-1", "locale": "en"})
    browser = Client()

    pages = answer_all(browser, path, check, right=False)

    check.refresh_from_db()
    for page, item in zip(pages, check.items, strict=True):
        question = Question.objects.get(pk=item["q"])
        assert escape(question.explanation) in page.content.decode()
        assert "Not quite." in page.content.decode()
    assert check.score == 0


@pytest.mark.django_db
def test_heeding_ends_the_check_and_writes_the_webhook_event(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    answer_all(browser, path, check)

    choice = browser.get(path)
    assert "96110" in choice.content.decode()
    assert "停止这笔转账" in choice.content.decode()
    done = browser.post(f"{path}decide", {"decision": "stop"}, follow=True)

    check.refresh_from_db()
    assert check.status == "heeded"
    assert check.score == check.total
    assert "96110" in done.content.decode()
    event = WebhookEvent.objects.get(check_ref=check)
    assert event.payload["type"] == "transfer_check.completed"
    assert event.payload["data"]["status"] == "heeded"


@pytest.mark.django_db
def test_the_choice_cannot_be_made_before_answering(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    start(browser, path)

    browser.post(f"{path}decide", {"decision": "continue"})

    check.refresh_from_db()
    assert check.status == "in_progress"
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_a_used_link_gets_a_clear_page(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    answer_all(browser, path, check)
    browser.post(f"{path}decide", {"decision": "continue"})

    again = Client().get(path)

    assert again.status_code == 410
    assert "已经使用" in again.content.decode()


@pytest.mark.django_db
def test_an_expired_link_gets_a_clear_page_and_the_check_expires(api, question_bank):
    check, path = new_check(api)
    TransferCheck.objects.filter(pk=check.pk).update(expires_at=timezone.now() - timedelta(1))

    page = Client().get(path)

    assert page.status_code == 410
    assert "已过期" in page.content.decode()
    check.refresh_from_db()
    assert check.status == "expired"
    assert WebhookEvent.objects.get(check_ref=check).payload["data"]["status"] == "expired"


@pytest.mark.django_db
def test_an_opened_check_left_unfinished_is_abandoned_when_time_is_up(api, question_bank):
    from quizzes.services import transfer_checks_expire_due

    check, path = new_check(api)
    start(Client(), path)

    assert transfer_checks_expire_due(now=timezone.now() + timedelta(hours=1)) == 1

    check.refresh_from_db()
    assert check.status == "abandoned"


@pytest.mark.django_db
def test_opening_the_link_shows_a_start_screen_and_leaves_the_check_unopened(api, question_bank):
    check, path = new_check(api)

    page = Client().get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert "转账前的简短安全检查" in html
    assert f'<form method="post" action="{path}start"' in html
    assert "第 1 题" not in html
    check.refresh_from_db()
    assert check.status == "pending"
    assert check.opened_at is None
    assert check.items == []


@pytest.mark.django_db
def test_previews_prefetches_and_reloads_of_the_link_change_nothing(api, question_bank):
    check, path = new_check(api)
    browser = Client()

    browser.get(path, headers={"Sec-Purpose": "prefetch"})
    browser.get(path, headers={"Purpose": "prefetch"})
    browser.get(path)
    browser.get(path)

    check.refresh_from_db()
    assert (check.status, check.opened_at, check.items) == ("pending", None, [])
    # And a check only previewed, when its time is up, is "expired", never "abandoned"
    from quizzes.services import transfer_checks_expire_due

    assert transfer_checks_expire_due(now=timezone.now() + timedelta(hours=1)) == 1
    check.refresh_from_db()
    assert check.status == "expired"


@pytest.mark.django_db
def test_pressing_start_opens_the_check_once_and_shows_the_first_question(api, question_bank):
    check, path = new_check(api)
    browser = Client()

    first = start(browser, path)
    check.refresh_from_db()
    drawn = check.items
    again = browser.post(f"{path}start")

    assert again["Location"] == path
    check.refresh_from_db()
    assert check.status == "in_progress"
    assert check.opened_at is not None
    assert check.items == drawn  # drawn once
    assert f"第 1 题，共 {check.total} 题" in first.content.decode()


@pytest.mark.django_db
def test_start_on_a_used_link_leads_to_the_used_page(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    answer_all(browser, path, check)
    browser.post(f"{path}decide", {"decision": "stop"})

    page = browser.post(f"{path}start", follow=True)

    assert page.status_code == 410
    assert "已经使用" in page.content.decode()


@pytest.mark.django_db
def test_a_forged_link_gets_a_clear_page(api, question_bank):
    _check, _path = new_check(api)

    page = Client().get(f"/t/{quiz_token(uuid.uuid4())[:-3]}abc/")

    assert page.status_code == 404
    assert "链接无效" in page.content.decode()


@pytest.mark.django_db
def test_an_older_users_quiz_is_in_elder_mode(api, question_bank):
    _, path = new_check(api)

    page = Client().get(path)

    assert '<html lang="zh-hans" class="elder"' in page.content.decode()


@pytest.mark.django_db
def test_a_general_mix_is_drawn_when_no_scam_type_is_given(api, question_bank):
    check, path = new_check(api, risk={"score": 0.5})

    start(Client(), path)

    check.refresh_from_db()
    types = {Question.objects.get(pk=i["q"]).scam_type.code for i in check.items}
    assert len(types) >= 3  # one of each type before any repeat


@pytest.mark.django_db
def test_the_first_quiz_screen_needs_few_queries(api, question_bank, django_assert_max_num_queries):
    _, path = new_check(api)
    browser = Client()
    with django_assert_max_num_queries(6):
        assert browser.get(path).status_code == 200  # the start screen
    start(browser, path)

    with django_assert_max_num_queries(6):
        assert browser.get(path).status_code == 200  # the first question


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
