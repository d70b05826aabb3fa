#!/usr/bin/env python3
"""CPU time and HTTP requests of a WHOLE transfer check, next to the one-INSERT baseline.

    .venv/bin/python scripts/services.py -- .venv/bin/python bench/check.py [--profile]

One check, as the user of a payment app's web view lives it without JavaScript: the risk
system's create call, then every screen of the hosted quiz (start, each question, each
explanation, the decision, the end screen) until the quiz has nothing more to ask, each
request in-process through what gunicorn serves (config.wsgi: the quiz's paths through their
shorter middleware stack, core/handlers.py; the baseline view through the whole one) against
PostgreSQL and Redis (scripts/services.py starts throwaway servers). The walker knows no URL
of the quiz: it reads each page as a browser would (the quiz's form, else its "next" link; a
redirect is followed and counts as a request), so the same script measures any version of
the flow.

Baseline requests and whole checks alternate (rounds of BENCH_CPU_REQUESTS / BENCH_CHECKS
baseline requests, then one check), so both see the same load of a shared machine.
Prints, for the baseline view and for the whole check: web-process and PostgreSQL-backend CPU
milliseconds (from /proc, CPU time so a busy machine still gives comparable figures), their
ratio, the requests per check, and the queries of each screen. --profile prints the top of a
cProfile of the walks (BENCH_SORT=tottime to sort by own time).
"""

from __future__ import annotations

import cProfile
import gzip
import html
import io
import json
import os
import pstats
import re
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cpu import BODY, backend_cpu, environ  # noqa: E402
from bench.cpu import run as run_baseline  # noqa: E402

CHECKS = int(os.environ.get("BENCH_CHECKS", "200"))
BASELINE_REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "2000"))

_FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ATTR_RE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
_INPUT_RE = re.compile(r"<(input|button)\b([^>]*)>", re.S)
_NEXT_RE = re.compile(r'<a\b[^>]*class="[^"]*\bquiz-next\b[^"]*"[^>]*>')


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR_RE.findall(tag)}


class Browser:
    """Just enough of a browser: cookies, redirects, forms. Counts requests and queries."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}
        self.requests = 0
        self.cpu = 0.0
        self.screens: list[tuple[str, int]] = []

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        from django.db import connection

        body = urlencode(form or {}).encode()
        env = environ(path, None, body)
        env["REQUEST_METHOD"] = method
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookies:
            env["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        queries = 0

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        seen: dict[str, Any] = {}
        with connection.execute_wrapper(count):
            cpu0 = time.process_time()
            out = self.app(env, lambda s, h: seen.update(status=s, headers=h))
            raw = b"".join(out)
            getattr(out, "close", lambda: None)()
            self.cpu += time.process_time() - cpu0  # the server's work, not the walker's
        self.requests += 1
        headers = seen["headers"]
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _sep, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        status = int(seen["status"].split()[0])
        label = re.sub(r"/t/[^/]+/", "/t/<token>/", path)
        self.screens.append((f"{method} {label} → {status}", queries))
        if any(n.lower() == "content-encoding" and v == "gzip" for n, v in headers):
            raw = gzip.decompress(raw)
        if status in (301, 302, 303):
            location = dict((n.lower(), v) for n, v in headers)["location"]
            return self.request("GET", urlsplit(location).path)
        assert status == 200, (status, path, raw[:500])
        return raw.decode()

    def walk(self, quiz_path: str) -> None:
        """Answer every question with its first option, then choose to continue."""
        page = self.request("GET", quiz_path)
        for _ in range(40):
            step = self.next_step(page)
            if step is None:
                return
            page = self.request(*step)
        raise AssertionError("the quiz did not end after 40 screens")

    @staticmethod
    def next_step(page: str) -> tuple[str, str, dict[str, str]] | tuple[str, str] | None:
        for attrs_src, inner in _FORM_RE.findall(page):
            attrs = _attrs(attrs_src)
            classes = attrs.get("class", "").split()
            if not {"quiz-form", "quiz-decide"} & set(classes):
                continue  # the elder-mode or language control
            data: dict[str, str] = {}
            choice: dict[str, str] = {}
            for tag, source in _INPUT_RE.findall(inner):
                field = _attrs(source)
                name, value = field.get("name"), field.get("value", "")
                if not name:
                    continue
                if tag == "input" and field.get("type") in ("hidden", None):
                    data[name] = value
                elif field.get("type") == "checkbox" and name not in choice:
                    choice[name] = value
                elif name == "option" and name not in choice:
                    choice[name] = value  # one-tap option buttons
                elif name == "decision" and value == "continue":
                    choice[name] = value
            return "POST", attrs["action"], {**data, **choice}
        link = _NEXT_RE.search(page)
        if link:
            return "GET", _attrs(link.group(0))["href"]
        return None


def create(app: Any, key: str) -> str:
    out = app(environ("/api/v1/transfer-checks", key, BODY), lambda s, h: None)
    raw = b"".join(out)
    raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return urlsplit(json.loads(raw)["quiz_url"]).path


class Meter:
    """CPU (this process, its database backend) and wall time of the segments measured."""

    def __init__(self) -> None:
        self.cpu = self.db = self.wall = 0.0

    def measure(self, work: Any) -> Any:
        db0 = backend_cpu()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = work()
        self.cpu += time.process_time() - cpu0
        self.wall += time.perf_counter() - wall0
        self.db += backend_cpu() - db0
        return result


def one_check(app: Any, key: str) -> Browser:
    browser = Browser(app)
    cpu0 = time.process_time()
    path = create(app, key)
    browser.cpu += time.process_time() - cpu0
    browser.requests += 1
    browser.screens.append(("POST /api/v1/transfer-checks → 201", -1))
    browser.walk(path)
    return browser


def interleaved(
    app: Any, key: str, checks: int, per_round: int, profile: cProfile.Profile | None
) -> tuple[Meter, Meter, Browser]:
    """Rounds of ``per_round`` baseline requests, then one whole check (create call
    included), so both see the same load of a shared machine; the profile, if any, covers
    the checks only."""
    from django.db import connection

    base, check = Meter(), Meter()
    server_cpu = 0.0
    pid = connection.connection.info.backend_pid
    browser = Browser(app)
    for _ in range(checks):
        base.measure(lambda: run_baseline(app, "/bench/baseline", None, per_round))
        if profile:
            profile.enable()
        browser = check.measure(lambda: one_check(app, key))
        if profile:
            profile.disable()
        server_cpu += browser.cpu
    assert connection.connection.info.backend_pid == pid, "the database connection changed"
    # Web CPU of a check: the server's calls alone (the walker reading pages is not its work;
    # the create call's JSON parsing is); the database's is all of the backend's.
    check.cpu = server_cpu
    return base, check, browser


def main() -> None:
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Run through scripts/services.py: DATABASE_URL and REDIS_URL are needed.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # One backend for the whole run, so its CPU (read from /proc by pid) is all of it;
        # production reconnects once a minute, a cost too small to show per check.
        DATABASE_CONN_MAX_AGE="3600",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_regions", "--no-progress", verbosity=0)  # the body names a county
    call_command("collectstatic", "--noinput", verbosity=0)
    from quizzes.demo import demo_questions_seed

    demo_questions_seed()
    out = io.StringIO()
    call_command(
        "create_api_client",
        f"check-{uuid.uuid4().hex[:8]}",
        "--rate-limit",
        "100000000",
        "--json",
        stdout=out,
    )
    key = json.loads(out.getvalue())["api_key"]
    # What gunicorn serves (config.wsgi): the quiz's paths through their shorter stack
    # (core/handlers.py), the baseline view through the whole one.
    from core.handlers import lean_paths_application

    app = lean_paths_application()
    # Warm up both (connections, template and URL caches).
    run_baseline(app, "/bench/baseline", None, 200)
    for _ in range(20):
        one_check(app, key)
    # CPU time, not wall time: waiting on the database is not this process's work.
    profile = cProfile.Profile(time.process_time) if "--profile" in sys.argv else None
    per_round = max(1, BASELINE_REQUESTS // CHECKS)
    base, check, browser = interleaved(app, key, CHECKS, per_round, profile)
    n_base = per_round * CHECKS
    base_cpu, base_db, base_wall = (x * 1000 / n_base for x in (base.cpu, base.db, base.wall))
    cpu, db, wall = (x * 1000 / CHECKS for x in (check.cpu, check.db, check.wall))
    print(
        f"in-process through config.wsgi's stacks, PostgreSQL + Redis; {CHECKS} rounds of "
        f"{per_round} baseline requests and one whole check"
    )
    print(f"{'':40}{'web cpu ms':>11}{'db cpu ms':>11}{'web+db':>9}{'wall ms':>9}")
    print(
        f"{'baseline: one-INSERT view, per request':40}{base_cpu:11.3f}{base_db:11.3f}"
        f"{base_cpu + base_db:9.3f}{base_wall:9.3f}"
    )
    label = "whole check (4 questions), per check"
    print(f"{label:40}{cpu:11.3f}{db:11.3f}{cpu + db:9.3f}{wall:9.3f}")
    print(
        f"whole check / baseline request CPU: web {cpu / base_cpu:.1f}x, "
        f"web + db {(cpu + db) / (base_cpu + base_db):.1f}x"
    )
    print(f"requests per check: {browser.requests} (create call included)")
    print("queries per screen (the last check walked):")
    for label, queries in browser.screens:
        print(f"  {label:50} {'' if queries < 0 else queries}")
    if profile:
        if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats / snakeviz
            profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        stats = pstats.Stats(profile)
        stats.sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(50)


if __name__ == "__main__":
    main()
