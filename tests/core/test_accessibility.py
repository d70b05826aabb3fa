"""Every kind of page each demo user reaches by links has no serious or critical accessibility
violation found by axe-core, in real Chromium on a phone: in Chinese, and in English in elder
mode (where layout and contrast change most)."""

from __future__ import annotations

import io
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
        for language, elder in [("zh-hans", False), ("en", True)]:
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
    assert checked > 30, checked
    assert found == {}
