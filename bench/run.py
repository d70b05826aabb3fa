#!/usr/bin/env python3
"""Benchmark the transfer-check create call and the hosted quiz's first screen.

    .venv/bin/python scripts/services.py -- .venv/bin/python bench/run.py

Needs DATABASE_URL and REDIS_URL (scripts/services.py starts throwaway PostgreSQL and Redis)
and wrk. Starts gunicorn exactly as the Procfile does (production settings, sync workers),
then, in the same run and on the same server:

1. the baseline: a minimal Django view doing one INSERT (bench/urls.py);
2. POST /api/v1/transfer-checks with a unique Idempotency-Key per request;

each with wrk at 16 connections, and prints p50/p99 latency, throughput and errors side by
side; then the quiz's first screen: bytes transferred (compressed, page and every asset it
loads) and server time p50 over fresh checks. Environment: BENCH_SECONDS (default 20; 3
with BENCH_QUICK=1, which also takes 20 quiz samples instead of 200),
BENCH_CONNECTIONS (16), BENCH_WORKERS (gunicorn workers, default 4 = 2 per core).
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")  # make bench BENCH_QUICK=1
SECONDS = int(os.environ.get("BENCH_SECONDS", "3" if QUICK else "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
QUIZ_SAMPLES = 20 if QUICK else 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(port: int) -> dict[str, str]:
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Run through scripts/services.py: DATABASE_URL and REDIS_URL are needed.")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def wrk(url: str, script: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", script, url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "requests": requests,
        "errors": errors,
    }


def get(port: int, path: str, encoding: str = "br, gzip") -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    response = conn.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    raw_headers = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    conn.close()
    return response.status, body, {**headers, "_header_bytes": str(raw_headers)}


def first_screen(port: int, api_key: str) -> dict[str, float]:
    """Create fresh checks; time the first GET of each quiz link; weigh one screen."""
    timings = []
    weight = 0
    assets: list[str] = []
    for n in range(QUIZ_SAMPLES):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps(
            {
                "subject": {"ref": f"u-{n}", "age_band": "60_plus", "locale": "zh-hans"},
                "transfer": {"amount": "800.00", "currency": "CNY"},
                "risk": {"scam_types": ["impersonating_police"]},
            }
        )
        conn.request(
            "POST",
            "/api/v1/transfer-checks",
            body=body,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        created = json.loads(conn.getresponse().read())
        conn.close()
        path = urlsplit(created["quiz_url"]).path
        started = time.perf_counter()
        status, page, headers = get(port, path, "gzip")
        timings.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
        if n == 0:
            weight = len(page) + int(headers["_header_bytes"])
            html = (
                gzip.decompress(page).decode()
                if headers.get("content-encoding")
                else (page.decode())
            )
            assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    for asset in sorted(set(assets)):
        status, content, headers = get(port, asset)
        assert status == 200, (asset, status)
        weight += len(content) + int(headers["_header_bytes"])
    return {
        "bytes": weight,
        "assets": len(set(assets)),
        "p50": statistics.median(timings),
        "p99": statistics.quantiles(timings, n=100)[98],
    }


def main() -> int:
    port = free_port()
    env = environment(port)
    print(
        f"bench: {os.cpu_count()} cores, gunicorn {WORKERS} sync workers, wrk 2 threads "
        f"{CONNECTIONS} connections {SECONDS}s per run, PostgreSQL + Redis",
        flush=True,
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_regions", "--no-progress", "-v0")  # post.lua's body names a county
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(
        env, "shell", "-c", "from quizzes.demo import demo_questions_seed; demo_questions_seed()"
    )
    key = json.loads(
        manage(
            env,
            "create_api_client",
            f"bench-{uuid.uuid4().hex[:8]}",
            "--rate-limit",
            "100000000",
            "--json",
        )
    )["api_key"]
    log = open(ROOT / "var" / "bench-gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "30",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("gunicorn did not start; see var/bench-gunicorn.log")
            time.sleep(0.2)
        wrk_env = {**os.environ, "BENCH_KEY": key}
        base_url = f"http://127.0.0.1:{port}"
        # Warm both paths (connections, caches) before measuring.
        subprocess.run(
            [
                "wrk",
                "-t1",
                "-c4",
                "-d3s",
                "-s",
                str(ROOT / "bench/post.lua"),
                f"{base_url}/api/v1/transfer-checks",
            ],
            env=wrk_env,
            check=True,
            capture_output=True,
        )
        baseline = wrk(f"{base_url}/bench/baseline", str(ROOT / "bench/baseline.lua"), wrk_env)
        create = wrk(f"{base_url}/api/v1/transfer-checks", str(ROOT / "bench/post.lua"), wrk_env)
        screen = first_screen(port, key)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ratio = create["rps"] / baseline["rps"]
    print()
    print(f"{'':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for name, r in (
        ("baseline: one-INSERT Django view", baseline),
        ("POST /api/v1/transfer-checks", create),
    ):
        print(
            f"{name:34} {r['rps']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} {r['requests']:9d} "
            f"{r['errors']:7d}"
        )
    print()
    print(f"create throughput / baseline: {ratio:.2f}  (target >= 0.50)")
    print(f"create p99: {create['p99']:.1f} ms  (target <= 50)   errors: {create['errors']}")
    print(
        f"quiz first screen: {screen['bytes'] / 1024:.1f} KB transferred, page + "
        f"{screen['assets']} assets (target <= 30)"
    )
    print(
        f"quiz first screen server time: p50 {screen['p50']:.1f} ms, p99 "
        f"{screen['p99']:.1f} ms over {QUIZ_SAMPLES} fresh checks (target p50 <= 20)"
    )
    ok = (
        ratio >= 0.5
        and create["p99"] <= 50
        and create["errors"] == 0
        and baseline["errors"] == 0
        and screen["bytes"] <= 30 * 1024
        and screen["p50"] <= 20
    )
    print("result:", "all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
