"""Sign-in protection through the real pages: lockout on both login pages (django-axes, on),
password reset by e-mail, password change, and the idle limit of staff sessions."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.middleware import LAST_ACTIVITY_KEY
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"  # UserFactory's
LEARNER_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client: Client, url: str, username: str, password: str, address: str = "198.51.100.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_times(client: Client, url: str, username: str, times: int, address: str = "198.51.100.1"):
    return [sign_in(client, url, username, "wrong-guess", address) for _ in range(times)]


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Lockout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LEARNER_LOGIN, ADMIN_LOGIN])
def test_the_fifth_wrong_password_locks_the_account_on_both_login_pages(client, url):
    user = UserFactory(roles=[Role.STAFF])

    *before, fifth = fail_times(client, url, user.username, settings.AXES_FAILURE_LIMIT)

    assert [answer.status_code for answer in before] == [200] * 4
    assert fifth.status_code == 429
    assert "登录已暂停" in fifth.content.decode()


@pytest.mark.parametrize("url", [LEARNER_LOGIN, ADMIN_LOGIN])
def test_a_locked_account_is_refused_even_with_the_right_password(client, url):
    user = UserFactory(roles=[Role.STAFF])
    fail_times(client, url, user.username, settings.AXES_FAILURE_LIMIT)

    answer = sign_in(client, url, user.username, PASSWORD)

    assert answer.status_code == 429
    assert not is_signed_in(client)


def test_the_lockout_page_says_how_long_to_wait_in_the_site_layout_in_english(client):
    user = UserFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    answer = fail_times(client, LEARNER_LOGIN, user.username, settings.AXES_FAILURE_LIMIT)[-1]

    html = answer.content.decode()
    assert answer.status_code == 429
    assert "Signing in is paused" in html
    assert "There were 5 wrong passwords in a row." in html
    assert "Please wait 15 minutes, then try again." in html
    assert 'class="site-header"' in html  # base layout
    assert 'href="/accounts/password/reset/"' in html


def test_the_account_is_locked_from_every_address(client):
    user = UserFactory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail_times(client, LEARNER_LOGIN, user.username, 1, address=f"203.0.113.{number}")

    answer = sign_in(client, LEARNER_LOGIN, user.username, PASSWORD, address="192.0.2.77")

    assert answer.status_code == 429
    assert not is_signed_in(client)


def test_an_address_that_guessed_at_many_accounts_is_locked_for_other_accounts_too(client):
    victims = UserFactory.create_batch(settings.AXES_FAILURE_LIMIT)
    for victim in victims:
        fail_times(client, LEARNER_LOGIN, victim.username, 1, address="203.0.113.5")
    untouched = UserFactory()

    from_guesser = sign_in(client, LEARNER_LOGIN, untouched.username, PASSWORD, "203.0.113.5")
    elsewhere = Client()
    from_elsewhere = sign_in(elsewhere, LEARNER_LOGIN, untouched.username, PASSWORD, "192.0.2.8")

    assert from_guesser.status_code == 429
    assert from_elsewhere.status_code == 302 and is_signed_in(elsewhere)


def test_signing_in_to_an_own_account_does_not_wipe_the_guesses_against_another(client):
    victim, own = UserFactory(), UserFactory()
    fail_times(client, LEARNER_LOGIN, victim.username, settings.AXES_FAILURE_LIMIT - 1)

    assert sign_in(Client(), LEARNER_LOGIN, own.username, PASSWORD).status_code == 302
    last_guess = fail_times(client, LEARNER_LOGIN, victim.username, 1)[0]

    assert last_guess.status_code == 429


def test_after_the_cool_off_the_right_password_signs_in_again(client):
    user = UserFactory()
    fail_times(client, LEARNER_LOGIN, user.username, settings.AXES_FAILURE_LIMIT)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    answer = sign_in(client, LEARNER_LOGIN, user.username, PASSWORD)

    assert answer.status_code == 302
    assert is_signed_in(client)


def test_behind_a_proxy_the_address_is_what_the_proxy_saw_not_what_the_client_wrote(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = "203.0.113.9"
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LEARNER_LOGIN,
            {"username": f"nobody{number}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {guesser}",  # forged left part
        )
    user = UserFactory()

    def from_client(address: str):
        return Client().post(
            LEARNER_LOGIN,
            {"username": user.username, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=address,
        )

    assert from_client(guesser).status_code == 429
    assert from_client("198.51.100.20").status_code == 302


# --- Password reset by e-mail ----------------------------------------------------------------


def reset_link_from(mail_body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail_body)
    assert match, mail_body
    return match.group(1)


def test_a_forgotten_password_is_reset_through_the_mailed_link(client, mailoutbox):
    user = UserFactory(email="xiuying@example.org")
    login_page = client.get(LEARNER_LOGIN).content.decode()
    assert 'href="/accounts/password/reset/"' in login_page

    sent = client.post("/accounts/password/reset/", {"email": "XiuYing@example.org"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["xiuying@example.org"]
    link = reset_link_from(mailoutbox[0].body)
    assert mailoutbox[0].body.startswith("您好")  # in the page's language
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "lanmajia-2027", "new_password2": "lanmajia-2027"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"

    assert sign_in(Client(), LEARNER_LOGIN, user.username, "lanmajia-2027").status_code == 302
    assert sign_in(Client(), LEARNER_LOGIN, user.username, PASSWORD).status_code == 200
    assert "已失效" in client.get(link, follow=True).content.decode()  # the link works once


def test_the_admin_login_page_leads_to_the_same_reset_pages(client):
    page = client.get(ADMIN_LOGIN).content.decode()

    assert 'href="/admin/password-reset/"' in page
    answer = client.get("/admin/password-reset/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password/reset/"


def test_the_mailed_link_uses_the_site_url_not_the_host_the_request_named(
    client, mailoutbox, settings
):
    settings.SITE_URL = "https://edu.example.org"
    settings.ALLOWED_HOSTS = ["edu.example.org", "evil.example.net"]
    UserFactory(email="xiuying@example.org")

    client.post(
        "/accounts/password/reset/", {"email": "xiuying@example.org"}, HTTP_HOST="evil.example.net"
    )

    assert "https://edu.example.org/accounts/password/reset/" in mailoutbox[0].body
    assert "evil.example.net" not in mailoutbox[0].body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    UserFactory(email="")  # an account without an e-mail address
    UserFactory(email="known@example.org")

    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    known = client.post("/accounts/password/reset/", {"email": "known@example.org"})

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert len(mailoutbox) == 1
    page = client.get(unknown["Location"]).content.decode()
    assert "如果有账户使用这个电子邮件地址" in page


def test_a_reset_clears_the_lockout_of_the_account(client, mailoutbox):
    user = UserFactory(email="xiuying@example.org")
    fail_times(Client(), LEARNER_LOGIN, user.username, settings.AXES_FAILURE_LIMIT, "203.0.113.1")

    client.post("/accounts/password/reset/", {"email": "xiuying@example.org"})
    form = client.get(reset_link_from(mailoutbox[0].body), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "lanmajia-2027", "new_password2": "lanmajia-2027"},
    )

    assert sign_in(Client(), LEARNER_LOGIN, user.username, "lanmajia-2027").status_code == 302


def test_an_e_mail_given_at_sign_up_can_receive_a_reset_link(client, mailoutbox):
    client.post(
        "/accounts/signup/",
        {
            "username": "laowang",
            "email": "laowang@example.org",
            "password1": "lanmajia-2026",
            "password2": "lanmajia-2026",
            "accept_notice": "on",
        },
    )
    Client().post("/accounts/password/reset/", {"email": "laowang@example.org"})

    assert len(mailoutbox) == 1 and "laowang" in mailoutbox[0].body


# --- Password change -------------------------------------------------------------------------


def test_a_signed_in_learner_changes_the_password_from_the_account_page(client):
    user = UserFactory()
    client.force_login(user)
    assert 'href="/accounts/password/change/"' in client.get("/accounts/me/").content.decode()

    answer = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "lanmajia-2027",
            "new_password2": "lanmajia-2027",
        },
    )

    assert answer.status_code == 302 and answer["Location"] == "/accounts/password/change/done/"
    assert is_signed_in(client)  # Django keeps this session valid
    assert sign_in(Client(), LEARNER_LOGIN, user.username, "lanmajia-2027").status_code == 302


def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)

    answer = client.post(
        "/accounts/password/change/",
        {
            "old_password": "nope",
            "new_password1": "lanmajia-2027",
            "new_password2": "lanmajia-2027",
        },
    )

    assert answer.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_needs_a_signed_in_user(client):
    answer = client.get("/accounts/password/change/")

    assert answer.status_code == 302 and answer["Location"].startswith(LEARNER_LOGIN)


# --- Idle staff sessions ---------------------------------------------------------------------


def last_active_ago(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def test_a_staff_session_lasts_the_idle_limit_and_a_learner_session_the_normal_age(client):
    staff, learner = (
        UserFactory(roles=[Role.STAFF], is_staff=True),
        UserFactory(roles=[Role.LEARNER]),
    )
    other = Client()
    client.force_login(staff)
    other.force_login(learner)

    client.get("/accounts/me/")
    other.get("/accounts/me/")

    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    assert other.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_staff_session_idle_past_the_limit_is_signed_out(client):
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True))
    client.get("/accounts/me/")

    last_active_ago(client, settings.STAFF_SESSION_IDLE_SECONDS + 1)
    answer = client.get("/admin/")

    assert answer.status_code == 302 and answer["Location"].startswith(ADMIN_LOGIN)
    assert not is_signed_in(client)


def test_a_staff_session_active_within_the_limit_stays_signed_in(client):
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True))
    client.get("/accounts/me/")

    last_active_ago(client, settings.STAFF_SESSION_IDLE_SECONDS - 90)

    assert client.get("/admin/").status_code == 200
    assert client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 5  # the clock moved on


def test_a_learner_idle_as_long_stays_signed_in(client):
    client.force_login(UserFactory(roles=[Role.LEARNER]))

    last_active_ago(client, settings.STAFF_SESSION_IDLE_SECONDS + 1)

    assert client.get("/accounts/me/").status_code == 200


def test_reset_mails_to_one_address_are_limited_and_the_page_says_the_same(client, mailoutbox):
    # Given an account with an e-mail address
    UserFactory(email="laowang@example.org")

    # When someone asks for a reset link for it again and again
    pages = [
        client.post("/accounts/password/reset/", {"email": "laowang@example.org"})
        for _ in range(settings.PASSWORD_RESET_PER_EMAIL_HOUR + 3)
    ]

    # Then only the first few mails go out, and every answer is the same "sent" page
    assert len(mailoutbox) == settings.PASSWORD_RESET_PER_EMAIL_HOUR
    assert {(p.status_code, p["Location"]) for p in pages} == {
        (302, "/accounts/password/reset/sent/")
    }


def test_reset_requests_from_one_client_address_are_limited(client, mailoutbox, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_HOUR = 2
    for n in range(4):
        UserFactory(email=f"user{n}@example.org")

    for n in range(4):
        client.post("/accounts/password/reset/", {"email": f"user{n}@example.org"})

    assert [m.to for m in mailoutbox] == [["user0@example.org"], ["user1@example.org"]]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_signing_in_never_redirects_off_the_site(client, target):
    user = UserFactory()

    answer = sign_in(client, f"{LEARNER_LOGIN}?next={target}", user.username, PASSWORD)

    assert answer.status_code == 302
    assert answer["Location"].startswith("/") and not answer["Location"].startswith("//")


def test_signing_in_returns_to_the_page_of_this_site_it_came_from(client):
    user = UserFactory()

    answer = sign_in(client, f"{LEARNER_LOGIN}?next=/courses/", user.username, PASSWORD)

    assert answer["Location"] == "/courses/"


# --- Pages that ask for the password again ----------------------------------------------------


def wrong_again(client: Client, url: str, times: int, address: str = "198.51.100.7"):
    fields = {
        "/accounts/me/delete/": lambda password: {"password": password},
        "/accounts/password/change/": lambda password: {
            "old_password": password,
            "new_password1": "lanmajia-2027",
            "new_password2": "lanmajia-2027",
        },
    }[url]
    return [client.post(url, fields("wrong-guess"), REMOTE_ADDR=address) for _ in range(times)]


@pytest.mark.parametrize("url", ["/accounts/me/delete/", "/accounts/password/change/"])
def test_wrong_passwords_on_a_page_that_asks_again_lock_the_account_like_sign_ins(client, url):
    # Someone holding a borrowed, signed-in phone guesses at the password on the account's
    # own pages: each guess is counted, and the limit locks the account everywhere.
    user = UserFactory()
    client.force_login(user)

    *before, last = wrong_again(client, url, settings.AXES_FAILURE_LIMIT)

    assert all(answer.status_code == 200 for answer in before)
    assert last.status_code == 429
    assert AccessAttempt.objects.filter(username=user.username).exists()
    # The right password does not get through now, on that page or on the sign-in page.
    if url == "/accounts/me/delete/":
        refused = client.post(url, {"password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    else:
        refused = client.post(
            url,
            {
                "old_password": PASSWORD,
                "new_password1": "lanmajia-2027",
                "new_password2": "lanmajia-2027",
            },
            REMOTE_ADDR="198.51.100.7",
        )
    assert refused.status_code == 429
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)
    answer = sign_in(Client(), LEARNER_LOGIN, user.username, PASSWORD, "203.0.113.9")
    assert answer.status_code == 429


def test_the_right_password_on_the_delete_page_still_deletes_after_one_slip(client):
    user = UserFactory()
    client.force_login(user)

    wrong_again(client, "/accounts/me/delete/", 1)
    answer = client.post("/accounts/me/delete/", {"password": PASSWORD}, REMOTE_ADDR="198.51.100.7")

    assert answer.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
