"""Sign-in by a one-time SMS code, through the real pages: ask with the phone, read the text
from the SMS outbox, type the code. Wrong, expired and reused codes, staff, unknown phones,
the rate limits, and what is stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from notifications.models import Preference, SignInCode, SmsOutbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ASK = "/accounts/login/code/"
ENTER = "/accounts/login/code/enter/"
PHONE = "13800138000"
ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    # The limits count in the cache, which outlives a test (a file cache on the embedded
    # defaults, Redis otherwise): each test starts from no requests.
    cache.clear()


def learner(phone: str = PHONE, **fields):
    user = UserFactory(**fields)
    Preference.objects.update_or_create(user=user, defaults={"phone": phone})
    return user


def ask(client: Client, phone: str = PHONE, address: str = ADDRESS, next_url: str = ""):
    data = {"phone": phone} | ({"next": next_url} if next_url else {})
    return client.post(ASK, data, REMOTE_ADDR=address)


def enter(client: Client, code: str, next_url: str = ""):
    return client.post(ENTER + (f"?next={next_url}" if next_url else ""), {"code": code})


def code_sent(phone: str = PHONE) -> str:
    body = SmsOutbox.objects.filter(phone=phone).latest("pk").body
    found = re.search(r"(?<!\d)\d{6}(?!\d)", body)
    assert found, body
    return found.group()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- The whole flow --------------------------------------------------------------------------


def test_a_learner_signs_in_with_the_code_from_the_text_and_lands_on_next(client):
    # Given a learner who registered a phone
    user = learner()

    # When they ask for a code (with spaces and +86, as people type it), then type it
    asked = ask(client, "+86 138-0013 8000", next_url="/courses/")
    page = client.get(asked.url)
    answer = enter(client, code_sent(), next_url="/courses/")

    # Then the text went out in the learner's language, and they are signed in on /courses/
    assert asked.status_code == 302
    assert "138****8000" in page.content.decode()
    body = SmsOutbox.objects.get().body
    assert re.fullmatch(
        r"【金融安全课堂】您的登录验证码是 \d{6}，5分钟内有效。"
        r"请勿告诉任何人，工作人员不会向您索要验证码。",
        body,
    ), body
    assert SmsOutbox.objects.get().reminder is None
    assert answer.status_code == 302
    assert answer.url == "/courses/"
    assert signed_in_user_id(client) == str(user.pk)


def test_without_next_the_code_sign_in_lands_where_the_password_sign_in_lands(client):
    learner()
    ask(client)

    answer = enter(client, code_sent())

    assert answer.url == "/courses/my/"


def test_a_next_to_another_site_is_ignored(client):
    learner()
    ask(client, next_url="https://evil.example/")

    answer = enter(client, code_sent(), next_url="https://evil.example/")

    assert answer.url == "/courses/my/"


def test_the_text_is_in_the_learners_language(client):
    learner(language="en")

    ask(client)

    assert SmsOutbox.objects.get().body.startswith("[Anquan] Your sign-in code is ")


def test_the_text_is_in_traditional_characters_for_a_zh_hant_learner(client):
    learner(language="zh-hant")

    ask(client)

    assert SmsOutbox.objects.get().body.startswith("【金融安全課堂】您的登入驗證碼是 ")


def test_a_sign_in_by_code_is_in_the_audit_log(client):
    user = learner()
    ask(client)

    enter(client, code_sent())

    row = AuditLog.objects.get(action=AuditAction.SIGN_IN_CODE_USED)
    code = SignInCode.objects.get(user=user)
    assert (row.actor_id, row.target_type, row.target_id) == (
        user.pk,
        "notifications.signincode",
        str(code.pk),
    )


def test_the_login_page_links_to_sign_in_by_code(client):
    html = client.get("/accounts/login/?next=/courses/").content.decode()

    assert "用短信验证码登录" in html
    assert 'href="/accounts/login/code/?next=/courses/"' in html


def test_with_the_feature_off_there_is_no_link_and_no_page(client, settings):
    settings.SIGN_IN_BY_SMS = False

    assert "用短信验证码登录" not in client.get("/accounts/login/").content.decode()
    assert client.get(ASK).status_code == 404
    assert ask(client).status_code == 404
    assert SmsOutbox.objects.count() == 0


def test_the_code_page_without_asking_first_goes_back_to_the_phone_page(client):
    answer = client.get(ENTER)

    assert answer.status_code == 302
    assert answer.url == ASK


def test_a_number_that_is_not_a_mainland_mobile_is_a_form_error(client):
    answer = ask(client, "12345")

    assert answer.status_code == 200
    assert answer.context["form"].errors == {"phone": ["请输入 11 位中国大陆手机号码。"]}


# --- Codes that do not work ------------------------------------------------------------------


def test_five_wrong_codes_kill_the_code(client):
    # Given a code sent
    learner()
    ask(client)
    code = code_sent()

    # When a wrong code is typed five times
    answers = [enter(client, wrong(code)) for _ in range(5)]

    # Then each is refused, and the right code no longer works either
    assert [a.status_code for a in answers] == [200] * 5
    assert "这个验证码不能用。" in answers[0].content.decode()
    assert enter(client, code).status_code == 200
    assert signed_in_user_id(client) is None


def test_four_wrong_codes_still_leave_the_right_one_working(client):
    learner()
    ask(client)
    code = code_sent()

    for _ in range(4):
        enter(client, wrong(code))

    assert enter(client, code).status_code == 302


def test_an_expired_code_is_refused(client, clock):
    # Given a code sent at 10:00
    user = learner()
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    ask(client)
    code = code_sent()

    # When it is typed 5 minutes later
    clock.advance(minutes=5)
    answer = enter(client, code)

    # Then it is refused
    assert answer.status_code == 200
    assert signed_in_user_id(client) is None
    assert SignInCode.objects.get(user=user).used_at is None


def test_a_code_just_inside_its_five_minutes_works(client, clock):
    learner()
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    ask(client)

    clock.advance(minutes=4, seconds=59)

    assert enter(client, code_sent()).status_code == 302


def test_a_code_works_only_once(client):
    user = learner()
    ask(client)
    code = code_sent()
    enter(client, code)
    client.logout()

    # The phone is asked again by the same browser, but the old code is typed
    other = Client()
    other.post(ASK, {"phone": PHONE}, REMOTE_ADDR="198.51.100.8")  # rate limit: no new code
    answer = enter(other, code)

    assert answer.status_code == 200
    assert other.session.get("_auth_user_id") is None
    assert SignInCode.objects.filter(user=user).count() == 1


def test_only_the_newest_code_works(client, settings):
    settings.SIGN_IN_CODE_PER_PHONE_MINUTE = 5
    learner()
    ask(client)
    first = code_sent()
    ask(client)
    second = code_sent()
    if first == second:  # one chance in a million
        pytest.skip("the two random codes are equal")

    assert enter(client, first).status_code == 200
    assert enter(client, second).status_code == 302


# --- Nothing sent, the same page -------------------------------------------------------------


def test_an_unregistered_phone_gets_the_same_page_and_no_text(client):
    learner(phone="13900139000")

    asked = ask(client)
    page = client.get(asked.url)

    assert asked.status_code == 302
    assert asked.url == "/accounts/login/code/enter/?next=%2Fcourses%2Fmy%2F"
    assert "138****8000" in page.content.decode()
    assert SmsOutbox.objects.count() == 0
    assert SignInCode.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.EDITOR])
def test_a_staff_members_or_editors_phone_gets_no_text(client, role):
    staff = learner(roles=[role], is_staff=True)

    asked = ask(client)

    assert asked.status_code == 302
    assert SmsOutbox.objects.count() == 0
    assert enter(client, "000000").status_code == 200
    assert not SignInCode.objects.filter(user=staff).exists()


def test_an_inactive_learner_gets_no_text(client):
    learner(is_active=False)

    ask(client)

    assert SmsOutbox.objects.count() == 0


def test_a_phone_two_learners_share_gets_no_text(client):
    learner()
    learner()

    ask(client)

    assert SmsOutbox.objects.count() == 0


# --- Rate limits -----------------------------------------------------------------------------


def test_one_phone_gets_at_most_one_code_a_minute(client):
    learner()

    answers = [ask(client, address=f"198.51.100.{i}") for i in range(3)]

    assert [a.status_code for a in answers] == [302] * 3  # the same page each time
    assert SmsOutbox.objects.count() == 1


def test_one_phone_gets_at_most_five_codes_an_hour(client, settings):
    # The minute limit off, to reach the hour's without waiting a minute between asks
    settings.SIGN_IN_CODE_PER_PHONE_MINUTE = 100
    learner()

    for i in range(7):
        ask(client, address=f"198.51.100.{i}")

    assert SmsOutbox.objects.count() == 5


def test_one_address_asks_at_most_twenty_times_an_hour(client):
    # Given 21 learners with phones
    phones = [f"1380013{n:04d}" for n in range(21)]
    for phone in phones:
        learner(phone=phone)

    # When one address asks a code for each, then another address asks for the last
    for phone in phones:
        ask(client, phone)
    ask(client, phones[-1], address="203.0.113.9")

    # Then the first 20 got one, the 21st only from the other address
    assert sorted(SmsOutbox.objects.values_list("phone", flat=True)) == phones


# --- What is stored --------------------------------------------------------------------------


def test_the_code_is_not_stored_in_clear(client):
    user = learner()

    ask(client)

    code = code_sent()
    row = SignInCode.objects.get(user=user)
    assert len(row.code_hash) == 64
    assert code not in row.code_hash
    stored = " ".join(str(v) for v in SignInCode.objects.values().get().values())
    assert code not in stored


def test_signing_in_by_code_brings_the_account_s_language_and_elder_mode(client):
    user = learner()
    user.language, user.elder_mode = "en", True
    user.save(update_fields=["language", "elder_mode"])

    ask(client)
    answer = enter(client, code_sent())

    assert answer.cookies["django_language"].value == "en"
    assert answer.cookies["elder_mode"].value == "1"
