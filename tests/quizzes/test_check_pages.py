"""The hosted transfer-check quiz, as a person taps through it in a payment app's web view
(Django's test client: no script, as the simplest web view)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from quizzes.models import Question, TransferCheck, WebhookEvent
from quizzes.services import quiz_token

from .conftest import new_check

QUESTION_RE = re.compile(r'name="question" value="(\d+)"')


def asked(page):
    """The question the page asks (the first form's), or None."""
    found = QUESTION_RE.search(page.content.decode())
    return Question.objects.get(pk=int(found.group(1))) if found else None


def answer(browser, path, question, right=True):
    options = question.options.all()
    chosen = [o.id for o in options if o.is_correct == right][: None if right else 1]
    return browser.post(f"{path}answer", {"question": question.id, "option": chosen})


def answer_all(browser, path, right=True):
    """Answer every question as shown; returns the answer pages (explanation + next)."""
    pages = []
    page = browser.get(path)
    while (question := asked(page)) is not None:
        page = answer(browser, path, question, right)
        assert page.status_code == 200
        pages.append((question, page))
    return pages


def hrefs(page):
    return re.findall(r'href="([^"]*)"', page.content.decode())


@pytest.mark.django_db
def test_the_link_shows_the_first_question_at_once_and_writes_nothing(api, question_bank):
    check, path = new_check(api)

    page = Client().get(path)

    assert page.status_code == 200
    html = page.content.decode()
    first = asked(page)
    assert first.language == "zh-hans"
    assert first.scam_type.code == "impersonating_police"
    assert escape(first.text) in html
    assert "第 1 题，共" in html
    assert "转出 ¥5,000.00 之前" in html
    assert "correct" not in html.lower().replace("is-correct", "")
    for option in first.options.all():
        assert escape(option.text) in html
    check.refresh_from_db()
    assert (check.status, check.opened_at, check.items) == ("pending", None, [])


@pytest.mark.django_db
def test_previews_prefetches_and_reloads_of_the_link_change_nothing(api, question_bank):
    check, path = new_check(api)
    browser = Client()

    shown = [asked(browser.get(path, headers={"Sec-Purpose": "prefetch"}))]
    shown.append(asked(browser.get(path, headers={"Purpose": "prefetch"})))
    shown += [asked(browser.get(path)), asked(browser.get(path))]

    assert len(set(shown)) == 1  # the same first question every time
    check.refresh_from_db()
    assert (check.status, check.opened_at, check.items) == ("pending", None, [])
    from quizzes.services import transfer_checks_expire_due

    # And a check only previewed, when its time is up, is "expired", never "abandoned"
    assert transfer_checks_expire_due(now=timezone.now() + timedelta(hours=1)) == 1
    check.refresh_from_db()
    assert check.status == "expired"


@pytest.mark.django_db
def test_the_first_answer_opens_the_check_with_the_question_that_was_shown(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    first = asked(browser.get(path))

    page = answer(browser, path, first)

    check.refresh_from_db()
    assert check.status == "in_progress"
    assert check.opened_at is not None
    assert 3 <= check.total <= 5
    assert check.items[0]["q"] == first.id
    assert check.answers == {str(first.id): [o.id for o in first.options.all() if o.is_correct]}
    html = page.content.decode()
    # The explanation and, on the same screen, the next question
    assert "答对了！" in html
    assert escape(first.explanation) in html
    second = asked(page)
    assert second.id == check.items[1]["q"]
    assert 'href="#next"' in html
    assert "第 2 题，共" in html


@pytest.mark.django_db
def test_after_each_answer_the_explanation_is_shown(api, question_bank):
    check, path = new_check(api, subject={"ref": "u-1", "locale": "en"})

    pages = answer_all(Client(), path, right=False)

    check.refresh_from_db()
    assert [q.id for q, _ in pages] == [i["q"] for i in check.items]
    for question, page in pages:
        assert escape(question.explanation) in page.content.decode()
        assert "Not quite." in page.content.decode()
    assert check.score == 0
    # The last explanation has the choice below it, on the same screen
    last = pages[-1][1].content.decode()
    assert f'action="{path}decide"' in last and 'href="#next"' in last
    assert "You answered 0 of" in last


@pytest.mark.django_db
def test_an_answer_posted_again_shows_the_same_screen_and_counts_once(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    first = asked(browser.get(path))
    page = answer(browser, path, first)

    again = answer(browser, path, first)  # a reload of the answer

    assert again.status_code == 200
    assert asked(again) == asked(page)
    check.refresh_from_db()
    assert len(check.answers) == 1
    assert check.score == 1


@pytest.mark.django_db
def test_heeding_ends_the_check_and_writes_the_webhook_event(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    answer_all(browser, path)

    choice = browser.get(path)
    html = choice.content.decode()
    assert "您还要转这笔钱吗？" in html
    assert "停止这笔转账" in html
    assert "您正要转出 ¥5,000.00。" in html
    assert "5000.00 CNY" not in html
    done = browser.post(f"{path}decide", {"decision": "stop"}, follow=True)

    check.refresh_from_db()
    assert check.status == "heeded"
    assert check.score == check.total
    assert "这笔转账已停止" in done.content.decode()
    assert 'href="tel:96110"' in done.content.decode()
    event = WebhookEvent.objects.get(check_ref=check)
    assert event.payload["type"] == "transfer_check.completed"
    assert event.payload["data"]["status"] == "heeded"


@pytest.mark.django_db
def test_the_choice_cannot_be_made_before_answering(api, question_bank):
    check, path = new_check(api)
    browser = Client()
    answer(browser, path, asked(browser.get(path)))

    browser.post(f"{path}decide", {"decision": "continue"})

    check.refresh_from_db()
    assert check.status == "in_progress"
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_after_going_on_the_link_says_the_transfer_is_going_ahead_and_how_to_stop_it(
    api, question_bank
):
    check, path = new_check(api)
    browser = Client()
    answer_all(browser, path)
    browser.post(f"{path}decide", {"decision": "continue"})

    # Back, a reload or the link opened again: the state of now, never "link used"
    for again in (browser.get(path), Client().get(path), browser.post(f"{path}decide")):
        if again.status_code == 303:
            again = browser.get(again["Location"])
        assert again.status_code == 200
        html = again.content.decode()
        assert "这笔转账将继续进行。" in html
        assert "¥5,000.00 将会转出" in html
        assert "在支付应用里取消这笔转账" in html
        assert 'href="tel:96110"' in html
        assert "给您信任的家人打个电话" in html
        assert "已经使用" not in html
    check.refresh_from_db()
    assert check.status == "proceeded"
    assert WebhookEvent.objects.filter(check_ref=check).count() == 1


@pytest.mark.django_db
def test_an_answer_to_a_finished_check_shows_its_end(api, question_bank):
    _check, path = new_check(api)
    browser = Client()
    pages = answer_all(browser, path)
    browser.post(f"{path}decide", {"decision": "stop"})

    page = answer(browser, path, pages[-1][0])

    assert page.status_code == 200
    assert "这笔转账已停止" in page.content.decode()


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
    browser = Client()
    answer(browser, path, asked(browser.get(path)))

    assert transfer_checks_expire_due(now=timezone.now() + timedelta(hours=1)) == 1

    check.refresh_from_db()
    assert check.status == "abandoned"


@pytest.mark.django_db
def test_a_forged_link_gets_a_clear_page(api, question_bank):
    page = Client().get(f"/t/{quiz_token(uuid.uuid4())[:-3]}abc/")

    assert page.status_code == 404
    assert "链接无效" in page.content.decode()
    assert 'href="tel:96110"' in page.content.decode()


@pytest.mark.django_db
def test_an_older_users_quiz_is_in_elder_mode_unless_they_turn_it_off(api, question_bank):
    _, path = new_check(api)
    browser = Client()

    assert '<html lang="zh-hans" class="check elder"' in browser.get(path).content.decode()
    browser.cookies["elder_mode"] = "0"
    assert '<html lang="zh-hans" class="check"' in browser.get(path).content.decode()


@pytest.mark.django_db
def test_a_younger_users_quiz_may_turn_elder_mode_on(api, question_bank):
    _, path = new_check(api, subject={"ref": "u-2", "age_band": "18_34"})
    browser = Client()

    page = browser.get(path).content.decode()
    assert '<html lang="zh-hans" class="check"' in page
    assert f'action="{path}elder-mode"' in page
    toggled = browser.post(f"{path}elder-mode", {"elder_mode": "on"})
    assert toggled.status_code == 303 and toggled["Location"] == path
    assert '<html lang="zh-hans" class="check elder"' in browser.get(path).content.decode()
    browser.post(f"{path}elder-mode", {"elder_mode": "off"})
    assert '<html lang="zh-hans" class="check"' in browser.get(path).content.decode()


@pytest.mark.django_db
def test_no_screen_of_the_quiz_sets_a_cookie(api, question_bank):
    # The quiz reads no session and needs no CSRF token: a payment app's web view gets no
    # cookie from it (the elder-mode control alone sets its own, when used).
    _, path = new_check(api)
    browser = Client()
    pages = [browser.get(path)]
    pages += [page for _, page in answer_all(browser, path)]
    pages.append(browser.post(f"{path}decide", {"decision": "stop"}))
    pages.append(browser.get(path))

    assert all(page.status_code == 200 for page in pages)
    assert [page.cookies for page in pages if page.cookies] == []
    assert 'name="csrfmiddlewaretoken"' not in "".join(p.content.decode() for p in pages)


@pytest.mark.django_db
def test_the_quiz_speaks_the_language_of_the_check_and_offers_no_other(api, question_bank):
    _, path = new_check(api, subject={"ref": "u-3", "locale": "en", "age_band": "60_plus"})
    browser = Client(headers={"Accept-Language": "zh-hans"})
    browser.cookies["django_language"] = "zh-hans"

    page = browser.get(path)

    html = page.content.decode()
    assert '<html lang="en"' in html
    assert "Question 1 of" in html
    assert "Before you send ¥5,000.00" in html
    assert asked(page).language == "en"
    assert "第 1 题" not in html
    assert "/preferences/language/" not in html
    assert 'name="language"' not in html


@pytest.mark.django_db
def test_no_screen_links_away_but_to_the_hotline_the_app_and_the_course(client_key, question_bank):
    from rest_framework.test import APIClient

    from quizzes.models import ApiClient

    ApiClient.objects.filter(pk=client_key.client.pk).update(return_urls=["myapp://transfer/done"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}")
    _, path = new_check(api, return_url="myapp://transfer/done")
    browser = Client()
    pages = [browser.get(path)]
    pages += [page for _, page in answer_all(browser, path)]
    pages.append(browser.get(path))
    pages.append(browser.post(f"{path}decide", {"decision": "continue"}, follow=True))

    allowed = {"tel:96110", "#next", path, "myapp://transfer/done"}
    for page in pages:
        html = page.content.decode()
        assert "site-nav" not in html and "site-footer" not in html
        links = [h for h in hrefs(page) if not h.startswith("/static/")]
        away = [h for h in links if h not in allowed and not h.startswith("/courses/")]
        assert away == [], away
        assert "tel:96110" in links
    # The end screen leads back to the app
    assert 'href="myapp://transfer/done"' in pages[-1].content.decode()
    assert "返回应用" in pages[-1].content.decode()


@pytest.mark.django_db
def test_without_a_return_url_the_end_screen_says_to_go_back_to_the_app(api, question_bank):
    _, path = new_check(api)
    browser = Client()
    answer_all(browser, path)

    done = browser.post(f"{path}decide", {"decision": "stop"}, follow=True)

    assert "现在可以返回您的支付应用。" in done.content.decode()
    assert "check-return" not in done.content.decode()


@pytest.mark.django_db
def test_a_general_mix_is_drawn_when_no_scam_type_is_given(api, question_bank):
    check, path = new_check(api, risk={"score": 0.5})

    answer_all(Client(), path)

    check.refresh_from_db()
    types = {Question.objects.get(pk=i["q"]).scam_type.code for i in check.items}
    assert len(types) >= 3  # one of each type before any repeat


def right_answer(page):
    """The post data answering the page's question rightly (read before it is posted)."""
    question = asked(page)
    return {
        "question": question.id,
        "option": [o.id for o in question.options.all() if o.is_correct],
    }


@pytest.mark.django_db
def test_each_screen_needs_few_queries(api, question_bank, django_assert_max_num_queries):
    # Writes run in a transaction; inside the test's own, it is a savepoint and its release:
    # two of the queries counted for each answer and the choice.
    _, path = new_check(api)
    browser = Client()
    with django_assert_max_num_queries(3):  # the check, the draw (candidates, options)
        page = browser.get(path)
    data = right_answer(page)
    with django_assert_max_num_queries(2 + 2):  # lock, update (the draw is in the cache)
        page = browser.post(f"{path}answer", data)
    data = right_answer(page)
    with django_assert_max_num_queries(2 + 2):  # lock, update
        page = browser.post(f"{path}answer", data)
    with django_assert_max_num_queries(1):  # a reload: the check (its draw is cached)
        browser.get(path)
    while asked(page) is not None:
        page = browser.post(f"{path}answer", right_answer(page))
    with django_assert_max_num_queries(1):  # the choice: the check alone
        browser.get(path)
    # the choice, answered by the end screen: lock (the client with it), update, event; then
    # the course finder
    with django_assert_max_num_queries(2 + 3 + 2):
        browser.post(f"{path}decide", {"decision": "stop"})
    with django_assert_max_num_queries(3):  # the end: the check, the course finder
        browser.get(path)


@pytest.mark.django_db
def test_a_whole_check_takes_at_most_ten_requests(api, question_bank):
    """The create call, then every screen a user without JavaScript loads, redirects too."""
    requests = 1
    check, path = new_check(api)
    browser = Client()
    page = browser.get(path)
    requests += 1
    while (question := asked(page)) is not None:
        page = answer(browser, path, question)
        requests += 1
    # The last explanation has the choice below it: no request to reach it
    assert "停止这笔转账" in page.content.decode()
    done = browser.post(f"{path}decide", {"decision": "continue"}, follow=True)
    requests += 1 + len(done.redirect_chain)

    assert "这笔转账将继续进行。" in done.content.decode()
    # create, the link, one answer per question (3 to 5), the choice
    check.refresh_from_db()
    assert requests == 3 + len(check.items), requests
    assert requests <= 10


@pytest.mark.django_db
def test_the_end_recommends_the_course_on_the_scam_the_check_named(api, question_bank):
    from edu.demo import demo_courses_seed

    demo_courses_seed()  # the real demo courses, as seed_demo loads them
    _, path = new_check(api)  # impersonating_police
    browser = Client()
    answer_all(browser, path)

    done = browser.post(f"{path}decide", {"decision": "stop"})

    html = done.content.decode()
    assert 'href="/courses/safe-money-for-seniors/"' in html
    assert "守好养老钱" in html
    assert "保护好个人信息" not in html


@pytest.mark.django_db
def test_an_edit_of_the_bank_shows_in_the_next_check_not_in_one_under_way(api, question_bank):
    # Given a check under way (its first question answered)
    _, path = new_check(api)
    browser = Client()
    first = asked(browser.get(path))
    page = answer(browser, path, first)
    second = asked(page)

    # When an editor rewrites that second question (the draw remembers the bank per process)
    second.text = "改写后的题目：对方自称警察，要求转账到“安全账户”，您怎么办？"
    second.save()

    # Then the check under way still shows the question as it was drawn
    assert second.text not in browser.get(path).content.decode()
    # and the next check that draws it shows the new text
    shown: list[str] = []
    for n in range(12):
        _, other = new_check(api, subject={"ref": f"u-edit-{n}", "age_band": "60_plus"})
        # each answer's screen repeats its question above the explanation
        shown += [page.content.decode() for _, page in answer_all(Client(), other)]
        if any(second.text in html for html in shown):
            break
    assert any(second.text in html for html in shown)
