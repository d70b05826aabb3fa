import unicodedata

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

RARE = "张𠮷英"  # 𠮷 is U+20BB7, outside the Basic Multilingual Plane


def sign_up(client: Client, **fields: str):
    data = {
        "username": "xiuying",
        "display_name": RARE,
        "password1": "lanmajia-2026",
        "password2": "lanmajia-2026",
        "accept_notice": "on",
    }
    data.update(fields)
    return client.post("/accounts/signup/", data)


def test_signing_up_creates_a_learner_who_is_signed_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(username="xiuying")
    assert list(user.groups.values_list("name", flat=True)) == [Role.LEARNER]
    assert client.get("/accounts/me/").status_code == 200


def test_a_rare_character_name_round_trips_through_the_form_and_the_database(client):
    sign_up(client)

    user = User.objects.get(username="xiuying")
    assert user.display_name == RARE
    assert len(user.display_name) == 3 and ord(user.display_name[1]) == 0x20BB7
    assert RARE in client.get("/accounts/me/").content.decode()


def test_a_user_name_may_itself_hold_a_rare_character(client):
    sign_up(client, username="𠮷祥")

    assert User.objects.filter(username="𠮷祥").exists()
    client.logout()
    # Through the login page: axes needs the request that Client.login does not give.
    answer = client.post("/accounts/login/", {"username": "𠮷祥", "password": "lanmajia-2026"})
    assert answer.status_code == 302 and "_auth_user_id" in client.session


def test_a_decomposed_name_is_stored_composed(client):
    decomposed = unicodedata.normalize("NFD", "Zoë Lǚ")

    sign_up(client, display_name=decomposed)

    assert User.objects.get(username="xiuying").display_name == "Zoë Lǚ"


def test_editing_the_name_on_the_account_page_keeps_rare_characters(client):
    sign_up(client, display_name="王芳")

    client.post("/accounts/me/", {"display_name": "𪚥𠀀龘", "language": "zh-hans"})

    assert User.objects.get(username="xiuying").display_name == "𪚥𠀀龘"


def test_mismatched_passwords_are_explained_and_nothing_is_created(client):
    response = sign_up(client, password2="something-else")

    assert response.status_code == 200
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="xiuying").exists()


def test_a_taken_user_name_is_refused_whatever_its_case(client):
    sign_up(client, username="ZhangSan")
    client.logout()

    response = sign_up(client, username="zhangsan")

    assert "这个用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="zhangsan").count() == 1
