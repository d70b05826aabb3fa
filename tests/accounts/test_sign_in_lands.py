"""Where signing in lands: a learner on their learning (the courses in progress), staff who
watch the figures on the overview, anyone on a safe ``next`` of this site when given."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"  # UserFactory's


def sign_in(client: Client, username: str, next_url: str = "") -> str:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    answer = client.post("/accounts/login/", data, REMOTE_ADDR="198.51.100.7")
    assert answer.status_code == 302, answer.content.decode()[:500]
    return answer["Location"]


def test_a_learner_lands_on_my_learning_not_the_account_page(client):
    UserFactory(username="xiuying")

    landed = sign_in(client, "xiuying")

    assert landed == "/courses/my/"
    assert "我的学习" in client.get(landed).content.decode()


def test_a_safe_next_is_followed(client):
    UserFactory(username="xiuying")

    assert sign_in(client, "xiuying", "/courses/recognise-common-scams/") == (
        "/courses/recognise-common-scams/"
    )


def test_a_next_to_another_site_lands_on_my_learning(client):
    UserFactory(username="xiuying")

    assert sign_in(client, "xiuying", "https://evil.example/") == "/courses/my/"
    client.logout()
    assert sign_in(client, "xiuying", "//evil.example/") == "/courses/my/"


def test_staff_land_on_the_overview_of_the_figures(client):
    UserFactory(username="zhoumin", roles=[Role.STAFF], is_staff=True)

    landed = sign_in(client, "zhoumin")

    assert landed == "/impact/overview/"
    assert client.get(landed).status_code == 200


def test_an_editor_who_may_not_see_the_figures_lands_on_their_learning(client):
    UserFactory(username="liuyang", roles=[Role.EDITOR], is_staff=True)

    assert sign_in(client, "liuyang") == "/courses/my/"
