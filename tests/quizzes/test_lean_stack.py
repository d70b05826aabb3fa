"""The hosted quiz through what gunicorn serves (config.wsgi): its paths take a shorter
middleware stack (core/handlers.py), and a user still gets every protection of the site's
pages, and no cookie."""

from __future__ import annotations

import gzip
import io
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from core.handlers import lean_paths_application

from .conftest import new_check

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def app():
    return lean_paths_application()


def call(app, path: str, *, method: str = "GET", body: bytes = b"", query: str = "", **headers):
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}
    # As Django's test client does: the test's database connection stays open (a server
    # closes it at the end of each request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        out = app(environ, lambda status, head, exc=None: seen.update(status=status, head=head))
        raw = b"".join(out)
        getattr(out, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    head = [(name, value.strip()) for name, value in seen["head"]]
    if ("Content-Encoding", "gzip") in head:
        raw = gzip.decompress(raw)
    return int(seen["status"].split()[0]), head, raw.decode()


PROTECTIONS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Request-ID",
    "Content-Language",
]


def test_a_quiz_screen_has_the_sites_protections_and_sets_no_cookie(app, api, question_bank):
    _, path = new_check(api)

    status, head, html = call(app, path, accept_encoding="gzip", cookie="sessionid=x; a=b")
    names = {name for name, _ in head}

    assert status == 200 and "第 1 题" in html
    assert set(PROTECTIONS) <= names, set(PROTECTIONS) - names
    assert "Set-Cookie" not in names
    assert dict(head)["Content-Encoding"] == "gzip"
    # the same policy as every other page
    _, site, _ = call(app, "/accounts/login/")
    assert dict(head)["Content-Security-Policy"] == dict(site)["Content-Security-Policy"]


def test_answers_and_the_choice_work_through_the_short_stack(app, api, question_bank):
    from quizzes.models import TransferCheck

    check, path = new_check(api)
    call(app, path)
    check.refresh_from_db()
    from quizzes.services import transfer_check_draw

    items, screens = transfer_check_draw(check)
    for item in items:
        right = [o.id for o in screens[item["q"]].options if o.is_correct]
        body = "&".join([f"question={item['q']}", *(f"option={o}" for o in right)]).encode()
        status, head, html = call(app, f"{path}answer", method="POST", body=body)
        assert status == 200, html[:300]
        assert "Set-Cookie" not in {name for name, _ in head}
    status, _, html = call(app, f"{path}decide", method="POST", body=b"decision=stop")

    assert status == 200 and "这笔转账已停止" in html
    assert TransferCheck.objects.get(pk=check.pk).status == "heeded"


def test_the_elder_mode_control_sets_its_cookie_alone(app, api, question_bank):
    _, path = new_check(api, subject={"ref": "u-9", "age_band": "18_34"})

    status, head, _ = call(app, f"{path}elder-mode", method="POST", body=b"elder_mode=on")

    assert status == 303 and dict(head)["Location"] == path
    cookies = [value for name, value in head if name == "Set-Cookie"]
    assert len(cookies) == 1 and cookies[0].startswith("elder_mode=1;")
    _, _, html = call(app, path, cookie="elder_mode=1")
    assert 'class="check elder"' in html


def test_a_forged_link_and_a_nul_byte_get_their_clear_answers(app):
    status, _, html = call(app, "/t/forged-token/")
    assert status == 404 and "链接无效" in html
    status, _, html = call(app, "/t/forged/", query="q=%00")
    assert status == 400


def test_the_other_pages_keep_the_whole_stack(app):
    # The sign-in page still gets its CSRF cookie and session handling.
    status, head, html = call(app, "/accounts/login/")

    assert status == 200 and 'name="csrfmiddlewaretoken"' in html
    assert any(name == "Set-Cookie" and value.startswith("csrftoken=") for name, value in head)
