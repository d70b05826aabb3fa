"""Courses without signal: the lessons a learner finishes offline reach the server once, the
knowledge check graded there against the questions the page served."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from edu import offline
from edu.models import Enrollment, Lesson, LessonProgress, OfflineCompletion
from tests.edu import test_pages
from tests.edu.test_pages import lesson_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/me/lesson-completions/"
police_question = test_pages.police_question  # the same fixture: one question of the bank


def body(course, lesson_slug, token="", answers=None, **extra):
    return {
        "client_uuid": str(extra.pop("client_uuid", uuid.uuid4())),
        "course": course.slug,
        "lesson": lesson_slug,
        "answers": answers or {},
        "served_token": token,
        "completed_at": extra.pop("completed_at", timezone.now().isoformat()),
        **extra,
    }


def token_from_page(client, course, slug) -> str:
    page = client.get(lesson_url(course, slug)).content.decode()
    marker = 'name="served_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_a_lesson_finished_offline_counts_once_however_often_it_is_sent(course, client):
    user = UserFactory()
    client.force_login(user)
    token = token_from_page(client, course, "no-safe-account")
    finished = timezone.now() - timedelta(hours=3)
    sent = body(course, "no-safe-account", token, completed_at=finished.isoformat())

    first = client.post(API, sent, content_type="application/json")
    again = client.post(API, sent, content_type="application/json")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["outcome"] == "completed"
    progress = LessonProgress.objects.get(user=user, lesson__slug="no-safe-account")
    assert abs(progress.completed_at - finished) < timedelta(seconds=1)  # when it was read
    assert OfflineCompletion.objects.filter(user=user).count() == 1


def test_the_offline_check_is_graded_on_the_server_against_the_served_questions(
    course, client, police_question
):
    question, right, wrong = police_question
    user = UserFactory()
    client.force_login(user)
    token = token_from_page(client, course, "hang-up")

    failed = client.post(
        API,
        body(course, "hang-up", token, {str(question.id): [wrong]}),
        content_type="application/json",
    )
    assert failed.json()["outcome"] == "check_failed"
    assert failed.json()["correct"] == 0 and failed.json()["total"] == 1
    assert not LessonProgress.objects.filter(user=user, lesson__slug="hang-up").exists()

    passed = client.post(
        API,
        body(course, "hang-up", token, {str(question.id): [right]}),
        content_type="application/json",
    )
    assert passed.json()["outcome"] == "completed"
    assert LessonProgress.objects.filter(user=user, lesson__slug="hang-up").exists()


def test_a_forged_or_borrowed_token_leaves_the_check_unanswered(course, client, police_question):
    question, right, _wrong = police_question
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    owners_token = token_from_page(client, course, "hang-up")
    client.force_login(other)
    hang_up = Lesson.objects.get(slug="hang-up")

    for token in ["", "forged", owners_token, owners_token[:-2] + "xx"]:
        response = client.post(
            API,
            body(course, "hang-up", token, {str(question.id): [right]}),
            content_type="application/json",
        )
        assert response.json()["outcome"] == "check_unseen", token
    assert offline.served_from_token(owners_token, user_id=owner.pk, lesson_id=hang_up.pk) == [
        question.id
    ]
    assert not LessonProgress.objects.filter(user=other, lesson__slug="hang-up").exists()


def test_a_uuid_sent_by_another_account_is_refused_with_a_problem(course, client):
    first, second = UserFactory(), UserFactory()
    sent = body(course, "no-safe-account")
    client.force_login(first)
    assert client.post(API, sent, content_type="application/json").status_code == 201

    client.force_login(second)
    response = client.post(API, sent, content_type="application/json")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/offline-completion-of-another")
    assert not LessonProgress.objects.filter(user=second).exists()


def test_a_time_from_the_future_is_taken_as_now(course, client):
    user = UserFactory()
    client.force_login(user)
    later = (timezone.now() + timedelta(days=30)).isoformat()

    client.post(
        API, body(course, "call-96110", completed_at=later), content_type="application/json"
    )

    progress = LessonProgress.objects.get(user=user, lesson__slug="call-96110")
    assert progress.completed_at <= timezone.now()


@pytest.mark.parametrize(
    "change, status",
    [
        ({"lesson": "no-such-lesson"}, 404),
        ({"course": "no-such-course"}, 404),
        ({"client_uuid": "not-a-uuid"}, 400),
        ({"answers": {"abc": [1]}}, 400),
        ({"answers": {"1": ["1"]}}, 400),
        ({"completed_at": "yesterday"}, 400),
        ({"extra": True}, 400),
    ],
)
def test_bad_input_is_a_clear_problem_and_records_nothing(course, client, change, status):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        API, {**body(course, "no-safe-account"), **change}, content_type="application/json"
    )

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert not OfflineCompletion.objects.exists()


def test_only_a_signed_in_learner_may_send(course, client):
    response = client.post(API, body(course, "no-safe-account"), content_type="application/json")
    assert response.status_code == 401


def test_the_manifest_lists_every_page_of_the_course_and_its_size(course, client):
    response = client.get(f"/api/v1/courses/{course.slug}/offline/")

    manifest = response.json()
    assert response.status_code == 200
    assert manifest["pages"][0] == reverse("edu:course", args=[course.slug])
    assert set(manifest["pages"][1:]) == {
        lesson_url(course, slug) for slug in ["no-safe-account", "hang-up", "call-96110"]
    }
    assert manifest["bytes"] > 4 * offline.PAGE_OVERHEAD_BYTES
    assert client.get("/api/v1/courses/nope/offline/").status_code == 404


def test_saving_a_lesson_page_records_no_visit(course, client):
    user = UserFactory()
    client.force_login(user)

    client.get(lesson_url(course, "call-96110"), headers={"X-Anquan-Saving": "1"})

    assert not Enrollment.objects.filter(user=user).exists()
    client.get(lesson_url(course, "call-96110"))  # read: the visit is recorded
    assert Enrollment.objects.filter(user=user, last_lesson__slug="call-96110").exists()


def test_the_service_worker_is_served_for_the_course_pages(client):
    response = client.get("/courses/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/courses/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
