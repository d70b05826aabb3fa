"""The admin speaks Chinese: every changelist, add, change, history and delete-confirmation
page a superuser can open, read as a person reads it (text, labels, buttons, titles; not
the values typed into fields), holds no English words but codes and names that are not
English prose."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.roles import Role
from edu.packages import course_package_import, read_folder
from quizzes.models import Audience, ScamType
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    region_tree,
    volunteer_in,
)
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory
from tests.quizzes.factories import QuestionFactory, api_client

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Words that may stand in Chinese text: abbreviations and names of things, each with why.
ALLOWED = {
    "API",  # API 客户端: what the risk systems' integrators call it
    "URL",  # 回调 URL
    "PNG",
    "PDF",
    "ZIP",
    "zip",  # file formats
    "Markdown",  # the lessons' text format
    "TOTP",  # the second factor's standard
    "English",  # the language's own name in the language menu
    "CNY",  # currency code
    "IP",  # IP 地址
    "SMS",
    "JSON",
    "Asia",
    "Shanghai",  # the time zone's name (Asia/Shanghai)
    "md",  # the test profile's password hasher ("md5") on the password field
    "Webhook",  # the term integrators use; our Chinese texts keep it
    "Control",
    "Command",
    "Mac",  # key names in Django's "hold down Control" help
    "LDAP",
    "GPS",
    "UUID",
    "CSV",
    "XLSX",
    "HTTP",
    "GET",
    "POST",
    "Accept",
    "Unix",
    "AMQP",
    "Crontab",
    "Cron",
    # Django names the link rows of many-to-many fields "User_groups object (1)" on delete
    # confirmation pages (its own __str__ for them); listed, not ours to rename.
    "object",
}
# Visible text that is data, not the admin's words: skipped with its element.
SKIPPED_TAGS = {"script", "style", "textarea", "template"}


# Columns and rows of the English version of content (title_en, name_en, ...): editors'
# English text, shown beside the Chinese on purpose.
# So are JSON fields (audit rows' before and after, payloads, code lists): data.
JSON_FIELDS = "data|before|after|payload|context|items|answers|scopes|scam_types|reasons"
ENGLISH_CONTENT = re.compile(rf"\bfield-(\w+_en|{JSON_FIELDS}|renditions|response_body)\b")
# Tokens that are code, not prose: slugs, dotted or underscored names, paths, scopes,
# hashes, examples.
CODE_TOKEN = re.compile(r"""\S*[._*/=\\\[\]{}<>"\-\d]\S*|\w+:\w\S*""")
VOID_TAGS = {"input", "img", "br", "hr", "meta", "link", "source", "col", "wbr"}


class VisibleText(HTMLParser):
    """The text a person sees, plus the attributes a screen reader or a tooltip reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._open: list[bool] = []  # per open element: does it start a skipped part?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        skip = tag in SKIPPED_TAGS or bool(ENGLISH_CONTENT.search(dict(attrs).get("class") or ""))
        if tag not in VOID_TAGS:
            self._open.append(skip)
            self._skipping += skip
        if self._skipping:
            return
        for name, value in attrs:
            if value and name in {"title", "aria-label", "placeholder", "alt"}:
                self.parts.append(value)
            if value and name == "value" and ("type", "submit") in attrs:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self._open:
            self._skipping -= self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = CODE_TOKEN.sub(" ", " ".join(parser.parts))
    return {w for w in WORD.findall(text) if w not in allowed}


def test_the_checker_finds_english_left_in_a_page():
    page = (
        '<h1>增加 课程</h1><th>MODULE</th><p title="Choose all">Course: 受众</p>'
        '<input type="submit" value="Save"><textarea>typed by an editor</textarea>'
        "<script>var ignored;</script><p>API 客户端 · English</p>"
    )

    assert english_words(page, ALLOWED) == {"MODULE", "Choose", "all", "Course", "Save"}


@pytest.fixture
def superuser(client):
    user = UserFactory(username="guanli", roles=[Role.STAFF], is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


# django-celery-beat's own pages are left out: their help texts are examples of code, their
# rows our schedules' English names, their time-zone list the zone database's (their app's
# name and models in the menu are checked on every other page).
NOT_CRAWLED = {"django_celery_beat"}


def admin_pages() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label in NOT_CRAWLED:
            continue
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):  # a model without that page
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for view in ("change", "history", "delete"):  # delete: the confirmation page
                urls.append(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[first.pk])
                )
    return urls


def test_every_admin_page_is_in_chinese(client, superuser):
    # Given some rows, so that lists and change pages show rows and forms
    QuestionFactory()
    course_package_import(files=read_folder(FIXTURE_COURSE), by=None, publish=True)
    api_client(name="某银行风控")
    regions = region_tree()
    campaign = CampaignFactory()
    volunteer = volunteer_in(campaign, regions["leishan"], username="zhiyuanzhe")
    SessionLogFactory(campaign=campaign, volunteer=volunteer, county=regions["leishan"])
    codes = {*ScamType.objects.values_list("code", flat=True)}
    codes |= {*Audience.objects.values_list("code", flat=True)}
    allowed = ALLOWED | codes | {superuser.username, volunteer.username}

    # When a superuser opens every changelist, add page and change page
    found: dict[str, set[str]] = {}
    opened = 0
    for url in admin_pages():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code in (302, 403):
            continue  # a page this admin does not offer (adding rows written by code only)
        assert response.status_code == 200, url
        opened += 1
        words = english_words(response.content.decode(), allowed)
        if words:
            found[url] = words

    # Then none has English words left
    assert opened >= 55
    assert not found, found
