"""Every list a person opens costs the same number of queries for one row as for many, so an
N+1 cannot creep in unseen (the other lists have their guards beside their own tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edu.services import lesson_complete, lesson_visit
from quizzes.models import Quiz, ScamType
from tests.campaigns.factories import CampaignFactory, SessionLogFactory, region_tree, volunteer_in
from tests.edu.factories import LessonFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return len(queries)


def _same_for_one_and_many(client, url: str, add_row: Callable[[], None]) -> None:
    add_row()
    _queries(client, url)  # warm the per-process caches (content types, codes)
    one = _queries(client, url)
    for _ in range(4):
        add_row()
    many = _queries(client, url)
    assert many == one, f"{url}: {one} queries for one row, {many} for five"


def _learner_in_courses(client):
    user = UserFactory()
    client.force_login(user)

    def enrol() -> None:
        lesson = LessonFactory()
        LessonFactory(module=lesson.module)
        lesson_visit(user=user, lesson=lesson)
        lesson_complete(user=user, lesson=lesson)

    return enrol


def test_my_learning_costs_the_same_for_one_course_as_for_many(client):
    _same_for_one_and_many(client, "/courses/my/", _learner_in_courses(client))


def test_my_course_progress_api_costs_the_same_for_one_course_as_for_many(client):
    _same_for_one_and_many(client, "/api/v1/me/courses/", _learner_in_courses(client))


def test_my_session_logs_cost_the_same_for_one_log_as_for_many(client):
    regions = region_tree()
    campaign = CampaignFactory()
    volunteer = volunteer_in(campaign, regions["leishan"])
    client.force_login(volunteer)

    def log() -> None:
        SessionLogFactory(campaign=campaign, volunteer=volunteer, county=regions["leishan"])

    _same_for_one_and_many(client, "/campaigns/mine/", log)


def test_the_quiz_list_costs_the_same_for_one_quiz_as_for_many(client):
    types = iter(ScamType.objects.order_by("code"))

    def quiz() -> None:
        scam_type = next(types)
        Quiz.objects.create(
            slug=f"q-{scam_type.code}".replace("_", "-"),
            title_zh_hans=f"自测：{scam_type.name_zh_hans}",
            title_en=f"Self-test: {scam_type.name_en}",
            scam_type=scam_type,
            is_published=True,
        )

    _same_for_one_and_many(client, "/quizzes/", quiz)
