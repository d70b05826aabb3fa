#!/usr/bin/env python3
"""Purging old transfer checks' subject references while the create call is under load.

    .venv/bin/python scripts/services.py -- .venv/bin/python bench/purge.py

Needs PostgreSQL and Redis (scripts/services.py) and wrk (``scripts/system-deps.sh bench``).
Sets up the server exactly as bench/run.py does (production settings, gunicorn sync
workers), adds BENCH_PURGE_ROWS (default 1,000,000) checks created 200 days ago with
generate_series, then measures on the same server, with wrk at 16 connections for
BENCH_SECONDS each:

1. the baseline: the one-INSERT Django view (bench/urls.py);
2. the create call alone;
3. the create call while ``transfer_check_subjects_purge`` (the service the nightly
   ``quizzes.check_subjects_purge`` task runs) blanks the old checks in its batches of
   RETENTION_BATCH_SIZE with RETENTION_BATCH_PAUSE_MS between them, in a process of its
   own started with the load.

It prints req/s, p50 and p99 of each, the purge's duration and rate, whether the purge was
still running when the loaded run ended (so the whole window was under purge), and checks
the create call's targets under the purge: throughput >= 0.5 x the baseline, p99 <= 50 ms.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, SECONDS, WORKERS, environment, free_port, get, manage, wrk  # noqa: E402

ROWS = int(os.environ.get("BENCH_PURGE_ROWS", "1000000"))

# Old checks straight into the table: every NOT NULL column, created 200 days ago (one a
# second further back each), a pseudonymous reference each.
FILL = """
import os
from django.db import connection
from quizzes.models import ApiClient
client = ApiClient.objects.order_by("-id").first()
with connection.cursor() as cursor:
    cursor.execute('''
        INSERT INTO quizzes_transfercheck (id, client_id, subject_ref, age_band, locale,
            region_code, amount, currency, channel, payee_type, scam_types, reasons, status,
            items, answers, resolution, created_at, expires_at, amount_flagged, return_url)
        SELECT gen_random_uuid(), %s, 'u-' || md5(g::text), '60_plus', 'zh-hans', '330106',
            5000, 'CNY', 'app', 'personal', '[]'::jsonb, '[]'::jsonb, 'expired', '[]'::jsonb,
            '{}'::jsonb, '', now() - interval '200 days' - g * interval '1 second',
            now() - interval '200 days' - g * interval '1 second' + interval '15 minutes',
            false, ''
        FROM generate_series(1, %s) g''',
        [client.pk, int(os.environ.get("BENCH_PURGE_ROWS", "1000000"))])
    cursor.execute("ANALYZE quizzes_transfercheck")
"""

PURGE = """
import json, time
from django.db import connection
from quizzes.services import transfer_check_subjects_purge
started = time.monotonic()
rows = transfer_check_subjects_purge()
seconds = time.monotonic() - started
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM quizzes_transfercheck WHERE subject_ref <> '' "
                   "AND created_at < now() - interval '180 days'")
    left = cursor.fetchone()[0]
print(json.dumps({"rows": rows, "seconds": seconds, "left": left}))
"""


def main() -> int:
    port = free_port()
    env = environment(port)
    batch = env.get("RETENTION_BATCH_SIZE", "500")
    pause = env.get("RETENTION_BATCH_PAUSE_MS", "250")
    print(
        f"bench: {os.cpu_count()} cores, gunicorn {WORKERS} sync workers, wrk 16 connections "
        f"{SECONDS}s per run, PostgreSQL + Redis; {ROWS:,} old checks, batches of {batch}, "
        f"{pause} ms apart",
        flush=True,
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_regions", "--no-progress", "-v0")
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
    started = time.monotonic()
    manage(env, "shell", "-c", FILL)
    print(f"filled {ROWS:,} old checks in {time.monotonic() - started:.1f} s", flush=True)
    log = open(ROOT / "var" / "bench-purge-gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--timeout", "30", "--backlog", "2048"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("gunicorn did not start; see var/bench-purge-gunicorn.log")
            time.sleep(0.2)
        wrk_env = {**os.environ, "BENCH_KEY": key}
        base = f"http://127.0.0.1:{port}"
        post = str(ROOT / "bench/post.lua")
        subprocess.run(
            ["wrk", "-t1", "-c4", "-d3s", "-s", post, f"{base}/api/v1/transfer-checks"],
            env=wrk_env, check=True, capture_output=True,
        )  # fmt: skip
        baseline = wrk(f"{base}/bench/baseline", str(ROOT / "bench/baseline.lua"), wrk_env)
        alone = wrk(f"{base}/api/v1/transfer-checks", post, wrk_env)
        purge = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", PURGE],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1)  # the purge's first batch is under way
        loaded = wrk(f"{base}/api/v1/transfer-checks", post, wrk_env)
        still_running = purge.poll() is None
        out, _ = purge.communicate(timeout=3600)
        result = json.loads(out.strip().splitlines()[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print()
    print(f"{'':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for name, r in (
        ("baseline: one-INSERT Django view", baseline),
        ("create call alone", alone),
        ("create call while the purge runs", loaded),
    ):
        print(
            f"{name:40} {r['rps']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} {r['requests']:9d} "
            f"{r['errors']:7d}"
        )
    ratio = loaded["rps"] / baseline["rps"]
    print()
    print(
        f"purge: {result['rows']:,} checks in {result['seconds']:.1f} s "
        f"({result['rows'] / result['seconds']:,.0f} rows/s), {result['left']} left; "
        f"still running when the loaded run ended: {still_running}"
    )
    print(f"create under purge / baseline: {ratio:.2f}  (target >= 0.50)")
    print(f"create p99 under purge: {loaded['p99']:.1f} ms  (target <= 50)")
    ok = (
        ratio >= 0.5
        and loaded["p99"] <= 50
        and loaded["errors"] == 0
        and result["rows"] == ROWS
        and result["left"] == 0
    )
    print("result:", "all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
