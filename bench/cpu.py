#!/usr/bin/env python3
"""CPU time per request of the transfer-check create call next to the one-INSERT baseline,
measured in-process through the whole WSGI stack (middleware included), so a machine shared
with other work still gives comparable figures (CPU time, not wall time).

    .venv/bin/python scripts/services.py -- .venv/bin/python bench/cpu.py [--profile]

Needs DATABASE_URL and REDIS_URL (scripts/services.py starts throwaway servers). Prints the
web process's and its PostgreSQL backend's CPU milliseconds per request (what limits
throughput when the cores are busy) and the wall time, for each endpoint; --profile prints
the top of a cProfile of the create call.
"""

from __future__ import annotations

import cProfile
import gzip
import io
import json
import os
import pstats
import secrets
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")  # make bench BENCH_QUICK=1
N = int(os.environ.get("BENCH_CPU_REQUESTS", "200" if QUICK else "2000"))

BODY = json.dumps(
    {
        "subject": {
            "ref": "u-bench",
            "age_band": "60_plus",
            "locale": "zh-hans",
            "region_code": "330106",
        },
        "transfer": {
            "amount": "5000.00",
            "currency": "CNY",
            "channel": "app",
            "payee_type": "personal",
        },
        "risk": {"score": 0.92, "scam_types": ["impersonating_police"], "reasons": ["new_payee"]},
    }
).encode()


def environ(path: str, key: str | None, body: bytes) -> dict:
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if key:
        env["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        env["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
    return env


def backend_cpu() -> float:
    """CPU seconds used so far by this process's PostgreSQL backend (from /proc)."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(app, path: str, key: str | None, n: int) -> tuple[float, float, float]:
    statuses: dict[str, int] = {}
    db0 = backend_cpu()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        seen: list[str] = []
        out = app(environ(path, key, BODY if key else b""), lambda s, h, seen=seen: seen.append(s))
        b"".join(out)
        getattr(out, "close", lambda: None)()
        statuses[seen[0]] = statuses.get(seen[0], 0) + 1
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    db = backend_cpu() - db0
    assert list(statuses) in (["201 Created"],), statuses
    return cpu * 1000 / n, wall * 1000 / n, db * 1000 / n


def first_screens(app, key: str, n: int, profile: bool) -> tuple[float, float, float]:
    """Create n checks, then GET each quiz link once: CPU and wall time of the first screen
    (the check is opened, its questions drawn and the first one rendered)."""
    from urllib.parse import urlsplit

    paths = []
    for _ in range(n):
        out = app(environ("/api/v1/transfer-checks", key, BODY), lambda s, h: None)
        raw = b"".join(out)
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        paths.append(urlsplit(json.loads(raw)["quiz_url"]).path)
    profiler = cProfile.Profile() if profile else None
    db0 = backend_cpu()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for path in paths:
        env = environ(path, None, b"")
        env["REQUEST_METHOD"] = "GET"
        seen: list[str] = []
        out = app(env, lambda s, h, seen=seen: seen.append(s))
        b"".join(out)
        assert seen[0] == "200 OK", seen
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    db = backend_cpu() - db0
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return cpu * 1000 / n, wall * 1000 / n, db * 1000 / n


def main() -> None:
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Run through scripts/services.py: DATABASE_URL and REDIS_URL are needed.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
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
        f"cpu-{uuid.uuid4().hex[:8]}",
        "--rate-limit",
        "100000000",
        "--json",
        stdout=out,
    )
    key = json.loads(out.getvalue())["api_key"]
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    run(app, "/bench/baseline", None, 200)  # warm up
    run(app, "/api/v1/transfer-checks", key, 200)
    base = run(app, "/bench/baseline", None, N)
    create = run(app, "/api/v1/transfer-checks", key, N)
    print(f"{N} requests each, in-process, PostgreSQL + Redis")
    print(f"{'':34}{'web cpu ms':>11}{'db cpu ms':>11}{'wall ms':>9}  (per request)")
    for label, (cpu, wall, db) in [
        ("baseline: one-INSERT Django view", base),
        ("POST /api/v1/transfer-checks", create),
    ]:
        print(f"{label:34}{cpu:11.3f}{db:11.3f}{wall:9.3f}")
    print(
        f"create / baseline CPU: web {create[0] / base[0]:.2f}x, "
        f"web + db {(create[0] + create[2]) / (base[0] + base[2]):.2f}x"
    )
    quiz = first_screens(app, key, 300, profile="--profile-quiz" in sys.argv)
    print(f"{'GET quiz link (first screen)':34}{quiz[0]:11.3f}{quiz[2]:11.3f}{quiz[1]:9.3f}")
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.enable()
        run(app, "/api/v1/transfer-checks", key, 500)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()
