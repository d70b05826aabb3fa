"""The transfer-check contract's locale zh-hant: accepted by both create paths, documented,
stored, and the hosted quiz shown in Traditional characters (questions converted unless an
editor wrote a zh-hant version of the key, which is drawn instead)."""

import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.utils.html import escape

from quizzes import api as quiz_api
from quizzes.codes import LOCALES
from quizzes.models import Option, Question, Quiz, TransferCheck

from .conftest import check_body
from .test_check_pages import answer, asked

URL = "/api/v1/transfer-checks"


def hant_body(**subject):
    body = check_body()
    body["subject"] = {**body["subject"], "locale": "zh-hant", **subject}
    return body


def new_check(api, body):
    response = api.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    return TransferCheck.objects.get(pk=data["id"]), urlsplit(data["quiz_url"]).path


def test_the_contract_locales_are_extended_not_renamed():
    assert LOCALES == ["zh-hans", "zh-hant", "en"]


@pytest.mark.django_db
def test_both_create_paths_accept_and_store_zh_hant(client_key, api):
    request = RequestFactory().post(
        URL,
        data=json.dumps(hant_body()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}",
        HTTP_IDEMPOTENCY_KEY="fast-hant",
    )
    fast = quiz_api.transfer_check_create_fast(request)
    # A body the fast path leaves to DRF (a lenient " x " coercion) with the same locale.
    slow = api.post(
        URL,
        data=json.dumps(hant_body(ref=" u-hant ")),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="drf-hant",
    )

    assert fast is not None and fast.status_code == 201
    assert slow.status_code == 201, slow.content
    locales = set(TransferCheck.objects.values_list("locale", flat=True))
    assert locales == {"zh-hant"} and TransferCheck.objects.count() == 2
    assert quiz_api.TransferCheckCreateApi.Input(data=hant_body()).is_valid()


@pytest.mark.django_db
def test_a_locale_outside_the_contract_is_refused_with_a_problem(api):
    for locale in ("zh-tw", "zh-Hant", "繁體"):
        response = api.post(
            URL,
            data=json.dumps(hant_body(locale=locale)),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bad-{len(locale)}-{locale.isascii()}",
        )
        assert response.status_code == 400
        problem = response.json()
        assert problem["type"] == "/problems/validation-error"
        assert "#/subject/locale" in [error["pointer"] for error in problem["errors"]]
    assert TransferCheck.objects.count() == 0


def test_the_schema_documents_zh_hant(client):
    schema = client.get("/api/schema/?format=json").json()

    subject = schema["components"]["schemas"]["TransferCheckSubjectRequest"]["properties"]["locale"]
    enum = subject.get("enum") or schema["components"]["schemas"][
        subject["$ref"].rsplit("/", 1)[-1]
    ].get("enum")
    assert enum == ["zh-hans", "zh-hant", "en"]


@pytest.mark.django_db
def test_the_hosted_quiz_is_in_traditional_characters(api, question_bank):
    _check, path = new_check(api, hant_body())
    browser = Client()

    first = browser.get(path)
    html = first.content.decode()
    question = asked(first)

    assert question.language == "zh-hans"  # the original, shown converted
    assert '<html lang="zh-hant"' in html
    assert "第 1 題，共" in html
    assert escape(question.text) not in html
    from core.hant import to_traditional

    assert escape(to_traditional(question.text)) in html
    for option in question.options.all():
        assert escape(to_traditional(option.text)) in html

    # The answer's screen explains, in Traditional characters too.
    feedback = answer(browser, path, question).content.decode()
    assert escape(to_traditional(question.explanation)) in feedback


@pytest.mark.django_db
def test_an_editors_zh_hant_version_of_a_question_is_drawn_and_shown_as_written(api, question_bank):
    original = Question.objects.get(key="impersonating_police-01", language="zh-hans")
    own = Question.objects.create(
        key=original.key,
        language="zh-hant",
        scam_type=original.scam_type,
        kind=original.kind,
        # 軟件, as Hong Kong writes it: a conversion would make it 軟體.
        text="有人自稱警察來電，要您安裝軟件，把錢轉到「安全帳戶」。您該怎麼做？",
        explanation="警方不會用電話辦案。",
        status=Question.Status.PUBLISHED,
    )
    own.audiences.set(original.audiences.all())
    Option.objects.create(question=own, position=0, text="照做", is_correct=False)
    Option.objects.create(question=own, position=1, text="掛斷，撥打 96110", is_correct=True)
    check, path = new_check(api, hant_body())
    browser = Client()

    # Answer as shown until the editor's question comes up (every question of the key is
    # drawn once per check, so it does, unless the draw left the key out).
    page = browser.get(path)
    while (question := asked(page)) is not None and question.pk != own.pk:
        page = answer(browser, path, question)
    html = page.content.decode()
    answer(browser, path, own)  # the first answer opens the check and records its draw
    check.refresh_from_db()
    drawn = [item["q"] for item in check.items]

    assert own.pk in drawn and original.pk not in drawn  # one row per key: the editor's
    assert escape(own.text) in html  # as written, not converted
    assert "掛斷，撥打 96110" in html


@pytest.mark.django_db
def test_a_self_test_in_zh_hant_is_stored_and_shown_in_traditional(question_bank, client):
    quiz = Quiz.objects.create(
        slug="mixed",
        title_zh_hans="防骗综合测试",
        title_en="Mixed",
        question_count=3,
        is_published=True,
    )
    client.post("/preferences/language/", {"language": "zh-hant", "next": "/"})

    listing = client.get("/quizzes/").content.decode()
    started = client.post(f"/quizzes/{quiz.slug}/start", follow=True)

    assert "防騙綜合測試" in listing
    attempt = quiz.attempt_set.get()
    assert attempt.language == "zh-hant"
    first = Question.objects.get(pk=attempt.items[0]["q"])
    from core.hant import to_traditional

    assert escape(to_traditional(first.text)) in started.content.decode()
