"""Courses in Traditional Chinese (zh-hant) with no second authoring pass: the Simplified text
converted, cached by content, unless an editor wrote a Traditional version, which wins."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from core.hant import cache_key
from edu import certificates, services
from edu.models import Certificate, Lesson
from quizzes.knowledge_checks import QuestionBankChecks
from tests.factories import UserFactory
from tests.quizzes.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hant(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    return client


def lesson_url(course, slug):
    return reverse("edu:lesson", args=[course.slug, slug])


def test_a_zh_hant_reader_gets_the_course_in_traditional_characters(course, hant):
    catalogue = hant.get("/courses/").content.decode()
    page = hant.get(lesson_url(course, "no-safe-account")).content.decode()

    assert "測試課程：識破冒充公檢法" in catalogue  # 测试课程：识破冒充公检法
    assert "公檢法不會在電話裡辦案。" in catalogue
    assert "沒有安全帳戶" in page  # the lesson title (帳, as reviewed for Taiwan)
    assert "公安機關、檢察院和法院<strong>不會</strong>通過電話辦案" in page  # the body
    assert "没有安全账户" not in page and "测试课程" not in page


def test_an_editors_traditional_version_wins_over_the_conversion(course, hant):
    lesson = Lesson.objects.get(course=course, slug="no-safe-account")
    lesson.body_zh_hant = "## 沒有「安全帳戶」\n\n編輯親手寫的繁體版本。"
    lesson.save()

    page = hant.get(lesson_url(course, "no-safe-account")).content.decode()

    assert "編輯親手寫的繁體版本。" in page
    assert "透過電話辦案" not in page
    assert "沒有安全帳戶" in page  # the title has no Traditional version: still converted


def test_a_lesson_is_converted_once_and_then_served_from_the_cache(course, hant):
    lesson = Lesson.objects.get(course=course, slug="hang-up")
    key = cache_key(lesson.body_zh)
    cache.delete(key)

    hant.get(lesson_url(course, "hang-up"))
    stored = cache.get(key)
    cache.set(key, "## 取自快取", 60)  # what a second request reads, if it reads the cache
    again = hant.get(lesson_url(course, "hang-up")).content.decode()
    cache.delete(key)

    assert stored.startswith("## 先掛斷，再核實")
    assert "取自快取" in again


def test_the_other_languages_are_not_converted(course, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "没有安全账户" in client.get(lesson_url(course, "no-safe-account")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(lesson_url(course, "no-safe-account")).content.decode()
    assert "There is no safe account" in html


def test_the_api_serves_traditional_to_a_taiwan_app(course, client):
    response = client.get("/api/v1/courses/", HTTP_ACCEPT_LANGUAGE="zh-TW")

    assert "測試課程：識破冒充公檢法" in response.content.decode()


def test_the_search_finds_simplified_text_from_traditional_words(course, hant):
    found = hant.get("/courses/?q=公檢法").content.decode()

    assert "測試課程：識破冒充公檢法" in found


def test_the_lesson_check_asks_the_bank_in_traditional_characters(course, hant):
    question = QuestionFactory(
        text="警察打电话要求转账到安全账户，应该怎么做？",
        explanation="公检法不会通过电话办案。",
        options=[("马上转账", False), ("挂断，拨打110核实", True)],
    )
    right = question.options.get(is_correct=True).id
    hant.force_login(UserFactory(language="zh-hant"))

    page = hant.get(lesson_url(course, "hang-up")).content.decode()
    with translation.override("zh-hant"):
        graded = QuestionBankChecks().grade(answers={question.id: [right]})

    assert "警察打電話要求轉帳到安全帳戶，應該怎麼做？" in page
    assert "掛斷，撥打110核實" in page and "马上转账" not in page
    assert graded.passed
    assert graded.explanations[question.id] == "公檢法不會通過電話辦案。"


def test_a_working_copy_keeps_the_traditional_versions(course):
    lesson = Lesson.objects.get(course=course, slug="hang-up")
    lesson.title_zh_hant = "先掛斷，再查證"
    lesson.save()
    course.title_zh_hant = "識破假冒公檢法"
    course.save()

    copy = services.course_draft_start(course=course, by=None)

    assert copy.title_zh_hant == "識破假冒公檢法"
    assert copy.lessons.get(slug="hang-up").title_zh_hant == "先掛斷，再查證"


def _certificate(user, course) -> Certificate:
    for lesson in course.lessons.order_by("module__position", "position"):
        services.lesson_complete(user=user, lesson=lesson)
    return Certificate.objects.get(user=user, course=course)


def test_a_zh_hant_learners_certificate_is_drawn_in_traditional_characters(course):
    certificate = _certificate(UserFactory(display_name="张𠮷英", language="zh-hant"), course)

    text = (
        PdfReader(io.BytesIO(certificates.render_pdf(certificate)))
        .pages[0]
        .extract_text()
        .replace("\x00", "")
    )

    assert certificate.language == "zh-hant"
    assert "結業證書" in text and "完成了課程" in text and "證書編號" in text
    assert "測試課程：識破冒充公檢法" in text
    assert "张𠮷英" in text  # a name is drawn as written, never converted
    assert "结业证书" not in text


def test_the_certificate_font_has_the_traditional_glyphs():
    from core import fonts

    primary = fonts.coverage(certificates.cjk_font())

    for character in "結業證書課程測試識破冒充公檢法掃碼驗證編號":
        assert character in primary, character


def test_a_simplified_learners_certificate_stays_simplified(course):
    certificate = _certificate(UserFactory(language="zh-hans"), course)

    text = PdfReader(io.BytesIO(certificates.render_pdf(certificate))).pages[0].extract_text()

    assert "结业证书" in text.replace("\x00", "")


def test_the_verification_page_reads_in_traditional(course, hant):
    certificate = _certificate(UserFactory(display_name="张𠮷英"), course)

    html = hant.get(reverse("edu:certificate", args=[certificate.serial])).content.decode()

    assert "測試課程：識破冒充公檢法" in html
    assert "此證書有效" in html
    assert "张𠮷英" in html
