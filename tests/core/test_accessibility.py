"""Every kind of page each demo user reaches by links, and the hosted transfer quiz, has no
serious or critical accessibility violation found by axe-core, in real Chromium on a phone:
in Simplified Chinese, in Traditional Chinese, and in English in elder mode (where layout and
contrast change most)."""

from __future__ import annotations

import io
import json
import re
from collections import deque
from urllib.parse import urldefrag

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/media/", "/api/", "/admin/", "/accounts/logout", "/metrics")
KINDS_PER_USER = 30
# Pages that change a language and state only by a form are opened as links here too.
EXTRA = ["/accounts/characters/?q=ji2", "/accounts/signup/", "/accounts/login/"]


def page_kinds(client: Client, done: set[str]) -> list[str]:
    """One URL per view (url name) reachable from the home page, in the order found, but for
    views another user's crawl already checked (the same template, another header)."""
    kinds: dict[str, str] = {}
    seen: set[str] = set()
    queue = deque(["/", *EXTRA])
    while queue and len(kinds) < KINDS_PER_USER:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(url.split("?")[0])
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}"
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        if name not in done:
            kinds.setdefault(name, url)
        for link in LINK.findall(response.content.decode("utf-8", "replace")):
            link = urldefrag(link.replace("&amp;", "&"))[0]
            if link and not link.startswith(SKIP) and link not in seen:
                queue.append(link)
    done.update(kinds)
    return list(kinds.values())


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_no_page_has_a_serious_accessibility_violation(web_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    axe = Axe()
    found: dict[str, list[str]] = {}
    checked = 0
    done: set[str] = set()
    for username in [None, "learner", "volunteer", "coordinator"]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        urls = page_kinds(client, done)
        assert urls, username
        for language, elder in [("zh-hans", False), ("zh-hant", False), ("en", True)]:
            context = browser.new_context(**PHONE)
            cookies = [{"name": "django_language", "value": language, "url": web_server}]
            if elder:
                cookies.append({"name": "elder_mode", "value": "1", "url": web_server})
            if username:
                cookies.append(
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": web_server,
                    }
                )
            context.add_cookies(cookies)
            page = context.new_page()
            for url in urls:
                page.goto(web_server + url)
                problems = serious(axe.run(page))
                checked += 1
                if problems:
                    found[f"{username or 'guest'} {language}{' elder' if elder else ''} {url}"] = (
                        problems
                    )
            context.close()
    found.update(hosted_quiz_problems(web_server, browser, axe))
    assert checked > 30, checked
    assert found == {}


def hosted_quiz_problems(web_server: str, browser, axe: Axe) -> dict[str, list[str]]:
    """The payment app's quiz screens: each question, each answer's explanation, the choice
    and its end, in each of the contract's languages (60+ in elder mode)."""
    from urllib.parse import urlsplit

    from rest_framework.test import APIClient

    from tests.quizzes.conftest import check_body
    from tests.quizzes.factories import api_client

    found: dict[str, list[str]] = {}
    ended: list[str] = []
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {api_client().api_key}")
    for locale, age_band in [("zh-hans", "60_plus"), ("zh-hant", "35_59"), ("en", "18_34")]:
        body = check_body()
        body["subject"].update({"locale": locale, "age_band": age_band})
        created = http.post(
            "/api/v1/transfer-checks",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"axe-{locale}",
        )
        assert created.status_code == 201, created.content
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(web_server + urlsplit(created.json()["quiz_url"]).path)
        for step in range(30):
            found.update(_problems(axe, page, f"quiz {locale} step {step}"))
            form_button = page.locator(".quiz-form:visible button")
            onward = page.locator("a.quiz-next:visible, a[href*='#']:visible").filter(
                has_text=re.compile("下一题|下一題|Next|继续|繼續|Continue")
            )
            stop = page.get_by_role("button", name=re.compile("停止|Stop"))
            if stop.count():
                stop.first.click()
                found.update(_problems(axe, page, f"quiz {locale} end"))
                ended.append(locale)
                break
            if onward.count():
                onward.first.click()
            elif form_button.count():
                boxes = page.locator(".quiz-form:visible input[type=checkbox]")
                if boxes.count():
                    boxes.first.check()
                    form_button.last.click()
                else:
                    form_button.first.click()
            else:
                break
        context.close()
    assert ended == ["zh-hans", "zh-hant", "en"], ended  # each quiz walked to its end
    return found


def _problems(axe: Axe, page, where: str) -> dict[str, list[str]]:
    problems = serious(axe.run(page))
    return {where: problems} if problems else {}
