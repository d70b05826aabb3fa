"""The read-only course API and a learner's own progress."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from edu import services
from tests.edu.factories import LessonFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_the_catalogue_lists_published_courses_with_modules_and_lessons(course, api):
    LessonFactory(module__course__status="draft", module__course__slug="hidden")

    response = api.get("/api/v1/courses/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["slug"] == "fixture-course"
    assert item["title"] == "Test course: seeing through fake police"
    assert [m["title"] for m in item["modules"]] == ["Unit one", "Unit two"]
    assert [lesson["slug"] for lesson in item["modules"][0]["lessons"]] == [
        "no-safe-account",
        "hang-up",
    ]
    assert item["modules"][0]["lessons"][1]["has_check"] is True


def test_the_catalogue_costs_the_same_queries_for_many_courses(api, django_assert_num_queries):
    for _ in range(6):
        lesson = LessonFactory()
        LessonFactory(module=lesson.module)

    with django_assert_num_queries(4):  # count, courses, modules, lessons
        response = api.get("/api/v1/courses/")

    assert response.json()["count"] == 6


def test_a_course_comes_with_sanitised_lesson_text_in_chinese_by_default(course, api):
    response = api.get("/api/v1/courses/fixture-course/")

    body = response.json()["modules"][0]["lessons"][0]["body_html"]
    assert "<strong>不会</strong>" in body
    assert "<script" not in body


def test_an_unknown_course_is_a_problem_detail(api, db):
    response = api.get("/api/v1/courses/nope/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_bad_filter_is_a_validation_problem(api, db):
    response = api.get("/api/v1/courses/?topic=lottery")

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/topic"


def test_an_unknown_filter_is_refused_and_the_pagination_parameters_are_not(api, db):
    refused = api.get("/api/v1/courses/", {"topik": "lottery"})
    paged = api.get("/api/v1/courses/", {"page": 1, "page_size": 10})

    assert refused.status_code == 400
    assert [e["pointer"] for e in refused.json()["errors"]] == ["#/topik"]
    assert paged.status_code == 200


def test_a_learner_sees_only_their_own_progress(course, api):
    me, other = UserFactory(), UserFactory()
    first = course.lessons.get(slug="no-safe-account")
    services.lesson_complete(user=me, lesson=first)
    for lesson in course.lessons.all():
        services.lesson_complete(user=other, lesson=lesson)
    api.force_authenticate(me)

    response = api.get("/api/v1/me/courses/")

    [row] = response.json()
    assert row["course"] == "fixture-course"
    assert (row["lessons_done"], row["lessons_total"], row["percent"]) == (1, 3, 33)
    assert row["last_lesson"] == "no-safe-account"
    assert row["certificate"] is None


def test_progress_shows_the_certificate_once_the_course_is_complete(course, api):
    me = UserFactory()
    for lesson in course.lessons.all():
        services.lesson_complete(user=me, lesson=lesson)
    certificate = me.certificates.get()
    api.force_authenticate(me)

    [row] = api.get("/api/v1/me/courses/").json()

    assert row["certificate"]["serial"] == certificate.serial
    assert row["certificate"]["valid"] is True
    assert row["certificate"]["verification_url"].endswith(f"/certificates/{certificate.serial}/")


def test_progress_needs_authentication(api, db):
    response = api.get("/api/v1/me/courses/")

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"


def test_the_openapi_schema_documents_the_course_endpoints(api, db):
    schema = api.get("/api/schema/?format=json").json()

    assert "/api/v1/courses/" in schema["paths"]
    assert "/api/v1/courses/{slug}/" in schema["paths"]
    assert "/api/v1/me/courses/" in schema["paths"]
    assert "/api/v1/me/courses/{slug}/" in schema["paths"]


def test_a_learner_sees_their_progress_in_one_course_lesson_by_lesson(
    course, api, django_assert_num_queries
):
    me, other = UserFactory(), UserFactory()
    services.lesson_complete(user=me, lesson=course.lessons.get(slug="hang-up"))
    services.lesson_complete(user=other, lesson=course.lessons.get(slug="call-96110"))
    api.force_authenticate(me)

    with django_assert_num_queries(4):  # course, modules, lessons, my completions
        response = api.get("/api/v1/me/courses/fixture-course/", HTTP_ACCEPT_LANGUAGE="en")

    lessons = response.json()["lessons"]
    assert [(row["slug"], row["completed_at"] is not None) for row in lessons] == [
        ("no-safe-account", False),
        ("hang-up", True),
        ("call-96110", False),
    ]
    assert lessons[1]["title"] == "Hang up, then check"
    assert api.get("/api/v1/me/courses/nope/").status_code == 404


def test_the_schema_describes_the_progress_list_and_an_absent_video_as_answered(api, db):
    schema = api.get("/api/schema/?format=json").json()

    progress = schema["paths"]["/api/v1/me/courses/"]["get"]["responses"]["200"]
    assert progress["content"]["application/json"]["schema"]["type"] == "array"  # not a page
    video = schema["components"]["schemas"]["LessonOutput"]["properties"]["video_url"]
    assert {"enum": [""]} in video["anyOf"] and "format" not in video
