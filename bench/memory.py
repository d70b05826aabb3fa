#!/usr/bin/env python3
"""Memory of what ``make run`` starts: web, worker, beat and what supervises them.

    .venv/bin/python bench/memory.py              # make run, as a newcomer types it
    .venv/bin/python bench/memory.py --procfile   # the production Procfile under honcho

Starts ``make run`` on a free port with a fresh VAR_DIR (its own SQLite file, embedded
broker, demo data), warms it up (the main pages as a visitor and as the demo learner, a few
rounds; a worker ping and a reach refresh through the worker and broker), waits a moment,
then sums the proportional set size (PSS, from /proc/<pid>/smaps_rollup: shared pages are
split between the processes sharing them, so the sum is what the tree costs the machine)
over the whole process tree, and prints it with the per-process breakdown.

``--procfile`` starts the production topology instead (``honcho -f Procfile start``, the
defaults WEB_CONCURRENCY=2 and CELERY_CONCURRENCY=2, same settings and data): what
``make run`` started before it got its own process set. BENCH_MEMORY_ROUNDS (default 3)
sets the warm-up rounds (1 with BENCH_QUICK=1). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")  # make bench BENCH_QUICK=1
ROUNDS = int(os.environ.get("BENCH_MEMORY_ROUNDS", "1" if QUICK else "3"))
PASSWORD = "anquan-demo-2026"  # noqa: S105 - accounts.demo.DEMO_PASSWORD, public on purpose
PAGES = ["/", "/courses/", "/quizzes/", "/impact/", "/impact/overview/", "/api/v1/reach"]
LEARNER_PAGES = ["/courses/my/", "/notifications/", "/accounts/me/", "/campaigns/mine/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(var_dir: Path, port: int) -> dict[str, str]:
    """make run's environment: the embedded defaults, whatever this shell points at."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        VAR_DIR=str(var_dir),
        PORT=str(port),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        SITE_URL=f"http://127.0.0.1:{port}",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
    )
    return env


def request(
    port: int, method: str, path: str, cookies: dict[str, str], body: dict[str, str] | None = None
) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    data = None
    if body is not None:
        data = urlencode(body)
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{path}",
        }
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    conn.close()
    return response.status, text


def wait_for_http(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if request(port, "GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"no answer on port {port} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def warm_up(port: int) -> int:
    """The main pages, as a visitor and signed in as the demo learner; returns requests."""
    done = 0
    paths = list(PAGES)
    status, catalogue = request(port, "GET", "/courses/", {})
    paths += sorted(set(re.findall(r'href="(/courses/[\w-]+/)"', catalogue)) - {"/courses/my/"})[:3]
    for _ in range(ROUNDS):
        for path in paths:
            status, _ = request(port, "GET", path, {})
            assert status < 500, (path, status)
            done += 1
        cookies: dict[str, str] = {}
        request(port, "GET", "/accounts/login/", cookies)
        form = {
            "csrfmiddlewaretoken": cookies.get("csrftoken", ""),
            "username": "learner",
            "password": PASSWORD,
        }
        status, _ = request(port, "POST", "/accounts/login/", cookies, form)
        assert status == 302, f"demo learner sign-in answered {status}"
        for path in [*LEARNER_PAGES, *paths[:3]]:
            status, _ = request(port, "GET", path, cookies)
            assert status < 500, (path, status)
            done += 1
        done += 2
    return done


def through_the_worker(env: dict[str, str]) -> str:
    """A ping answered and a reach refresh run by the worker, enqueued on the broker."""
    script = (
        "import time\n"
        "from django.db import transaction\n"
        "from core.models import JobRun\n"
        "from core.services import worker_ping_request\n"
        "from reach.tasks import refresh\n"
        "before = JobRun.objects.filter(job='reach.refresh').count()\n"
        "with transaction.atomic():\n"
        "    ping = worker_ping_request()\n"
        "refresh.delay()\n"
        "deadline = time.monotonic() + 120\n"
        "while time.monotonic() < deadline:\n"
        "    ping.refresh_from_db()\n"
        "    runs = JobRun.objects.filter(job='reach.refresh').count()\n"
        "    if ping.answered_at and runs > before:\n"
        "        print(ping.worker)\n"
        "        break\n"
        "    time.sleep(0.2)\n"
        "else:\n"
        "    raise SystemExit('the worker answered no ping or ran no refresh in 120 s')\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(root: int) -> list[int]:
    tree, found, todo = children_of(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += tree.get(pid, [])
    return sorted(found)


def kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def describe(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    words = [Path(a.decode()).name if i == 0 else a.decode() for i, a in enumerate(argv) if a]
    if words and words[0].startswith("python") and len(words) > 1:
        words = [Path(words[1]).name, *words[2:]]
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    return f"[{comm}] {' '.join(words)}"[:90]


def measure(procfile: bool) -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    port = free_port()
    env = environment(var_dir, port)
    log = var_dir / "run.log"
    if procfile:
        for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        command = [str(BIN / "honcho"), "-f", "Procfile", "start", "-p", str(port)]
        label = "honcho -f Procfile start (the production topology)"
    else:
        command = ["make", "--no-print-directory", "run", f"PORT={port}"]
        label = "make run"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_http(port, proc, log, timeout=600)
        requests = warm_up(port)
        try:
            worker = through_the_worker(env)
        except subprocess.CalledProcessError as error:
            sys.exit(f"{error.stderr[-2000:]}\n--- the server's log:\n{log.read_text()[-4000:]}")
        time.sleep(5)  # let beat tick and the processes settle
        if os.environ.get("BENCH_MEMORY_HOLD"):  # keep it running to look at it
            print(f"holding: process group {proc.pid}", flush=True)
            time.sleep(float(os.environ["BENCH_MEMORY_HOLD"]))
        pids = process_tree(proc.pid)
        rows = []
        for pid in pids:
            try:
                rows.append((kib(pid, "Pss"), kib(pid, "Rss"), pid, describe(pid)))
            except OSError:
                continue
        total = sum(row[0] for row in rows)
        print(
            f"{label}: {len(rows)} processes, after {requests} requests and a ping "
            f"answered by {worker}"
        )
        print(f"    {'PSS MB':>7} {'RSS MB':>7} {'pid':>7}  command")
        for pss, rss, pid, what in sorted(rows, reverse=True):
            print(f"    {pss / 1024:7.1f} {rss / 1024:7.1f} {pid:>7}  {what}")
        print(f"    {total / 1024:7.1f}  total PSS")
        return total
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--procfile", action="store_true", help="measure honcho -f Procfile (production) instead"
    )
    args = parser.parse_args()
    if not Path("/proc/self/smaps_rollup").exists():
        sys.exit("This benchmark reads /proc/<pid>/smaps_rollup (Linux 4.14 or later).")
    measure(args.procfile)


if __name__ == "__main__":
    main()
