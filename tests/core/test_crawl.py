"""Every page a demo user can reach by following links answers without a server error, also
when its query string is garbage."""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/media/", "/api/docs/", "/accounts/logout")
GARBAGE = "?page=x&start=2026-13-45&end=yesterday&area=999999&q=%ff%27%22<&kind=..%2F&lang=xx"
PAGES_PER_USER = 120


def crawl(client: Client) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(seen) < PAGES_PER_USER:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code >= 500:
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode("utf-8", "replace")):
            link = urldefrag(link.replace("&amp;", "&"))[0]
            if link and not link.startswith(SKIP) and link not in seen:
                queue.append(link)
    return seen


@pytest.mark.django_db
def test_no_page_reachable_by_links_fails():
    # Given the demo content and each of its accounts, and a guest
    call_command("seed_demo", stdout=io.StringIO())
    errors: dict[str, int] = {}
    for username in [None, "learner", "elder", "volunteer", "coordinator", "editor", "staff"]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        # When every page reachable from the home page is opened, plainly and with garbage
        seen = crawl(client)
        assert len(seen) > 10, username
        errors.update({f"{username} {url}": code for url, code in seen.items() if code >= 500})
        for url in list(seen)[:40]:
            if not urlsplit(url).query:
                code = client.get(url + GARBAGE).status_code
                if code >= 500:
                    errors[f"{username} {url}{GARBAGE}"] = code
    # Then none of them is a server error
    assert errors == {}
