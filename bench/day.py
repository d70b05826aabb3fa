#!/usr/bin/env python3
"""Replay a compressed day of transfer checks on the production topology of this machine.

    .venv/bin/python scripts/services.py -- .venv/bin/python bench/day.py

Starts (bench/topology.py) two gunicorn processes, two Celery workers and beat, with the
production settings, on the PostgreSQL and Redis that scripts/services.py started, and a
webhook receiver on loopback standing in for the risk system. Then it replays a day pressed
into BENCH_DAY_SECONDS: create calls arrive on a daily curve whose peak is ten times its
average; each check's user answers through the quiz pages, found by following the forms and
links of each page (about 70 % stop, 20 % go on, 10 % walk away after the first question and
are abandoned when the link runs out, BENCH_TTL seconds); the risk system reports a
resolution for every decided check; the receiver is down for a stretch in the middle
(BENCH_OUTAGE, fractions of the day); beat runs the reach refresh every 30 s, the other
schedules as in production. After the day it waits until every check has ended and its
webhook arrived, then prints the figures, compares the reach figures with a full rebuild
and exits non-zero if a webhook was lost or the figures differ.

Environment: BENCH_DAY_SECONDS (360), BENCH_PEAK_RATE (checks/s at the peak, 8),
BENCH_THINK_SECONDS (a user's pause before each tap, 0.3), BENCH_TTL (120), BENCH_OUTAGE
("0.40-0.50"), BENCH_WEB_WORKERS (sync workers per gunicorn, 2), BENCH_WORKER_CONCURRENCY
(per Celery worker, 2), BENCH_MAX_USERS (simultaneous users, 300), BENCH_SEED (1).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.topology import ROOT, QuizWalker, Topology, WebhookReceiver, pid_usage

DAY = float(os.environ.get("BENCH_DAY_SECONDS", "360"))
PEAK_RATE = float(os.environ.get("BENCH_PEAK_RATE", "8"))
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "0.3"))
TTL = int(os.environ.get("BENCH_TTL", "120"))
OUTAGE = tuple(float(x) for x in os.environ.get("BENCH_OUTAGE", "0.40-0.50").split("-"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
MAX_USERS = int(os.environ.get("BENCH_MAX_USERS", "300"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
NATIONAL_PEAK = 58.0  # checks/s: 500,000 checks a day, peak ten times the average

# The daily curve: a floor plus one peak, normalised to mean 1 with the peak at 10.
FLOOR, PEAK_AT = 0.3, 0.62
SIGMA = (1 - FLOOR) / ((10 - FLOOR) * math.sqrt(2 * math.pi))
# The peak: where the curve is at least 5 times the average (about 2.4 sigma wide).
_HALF = SIGMA * math.sqrt(2 * math.log((10 - FLOOR) / (5 - FLOOR)))
PEAK_WINDOW = (PEAK_AT - _HALF, PEAK_AT + _HALF)
REGIONS = ["330106", "522634", "110101"]
SCAM_TYPES = ["impersonating_police", "task_rebate", "fake_investment", "fake_loan", "romance"]
AGE_BANDS = ["18_34", "35_59", "60_plus", "under_18"]


def curve(x: float) -> float:
    """Arrivals per second relative to the day's average, at fraction ``x`` of the day."""
    return FLOOR + (10 - FLOOR) * math.exp(-(((x - PEAK_AT) / SIGMA) ** 2) / 2)


def arrivals(rng: random.Random) -> list[float]:
    """Arrival times (seconds into the day): a Poisson process following the curve."""
    average = PEAK_RATE / 10
    times, t = [], 0.0
    while True:
        t += rng.expovariate(average * 10)  # thinning: draw at the peak rate, keep some
        if t >= DAY:
            return times
        if rng.random() < curve(t / DAY) / 10:
            times.append(t)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def environment(logs: Path) -> dict[str, str]:
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Run through scripts/services.py: DATABASE_URL and REDIS_URL are needed.")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        TRANSFER_CHECK_TTL=str(TTL),
        # The risk system's endpoint is on loopback here.
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
        PROMETHEUS_MULTIPROC_DIR=str(logs / "prometheus"),
    )
    (logs / "prometheus").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def shell(env: dict[str, str], script: str) -> dict[str, object]:
    """Run a script in the project's shell; its last line of output, as JSON."""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])  # type: ignore[no-any-return]


SETUP = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from quizzes.demo import demo_questions_seed
demo_questions_seed()
# The day is compressed: the reach refresh runs every 30 s instead of every 5 minutes.
every, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
print(PeriodicTask.objects.filter(task="reach.refresh").update(interval=every))
"""

FIGURES = """
import json
from reach.models import CampaignReachDaily, CheckBreakdownDaily, ReachDaily
from reach.services import reach_job
outcome = reach_job("{job}").outcome
rows = {{}}
for model in (ReachDaily, CampaignReachDaily, CheckBreakdownDaily):
    keep = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "updated_at")]
    rows[model.__name__] = sorted(json.dumps(r, sort_keys=True, default=str)
                                  for r in model.objects.values(*keep))
print(json.dumps({{"outcome": outcome, "rows": rows}}))
"""

STATUS = """
import json
from django.db.models import Count
from quizzes.models import TransferCheck, WebhookEvent
print(json.dumps({
    "status": dict(TransferCheck.objects.values_list("status").annotate(n=Count("id"))),
    "undelivered": WebhookEvent.objects.filter(delivered_at__isnull=True).count(),
    "given_up": WebhookEvent.objects.filter(gave_up_at__isnull=False).count(),
}))
"""


@dataclass
class Day:
    hosts: list[str]
    api_key: str
    start: float = 0.0
    creates: list[tuple[float, float]] = field(default_factory=list)  # (at, seconds)
    screens: list[tuple[float, float]] = field(default_factory=list)
    # (at, check id) when its user is done: decided, or gone after the first question
    finished: list[tuple[float, str]] = field(default_factory=list)
    walks: list[tuple[float, float]] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # id -> decision
    errors: list[str] = field(default_factory=list)
    users: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(MAX_USERS)
    )
    refused_users: int = 0

    def now(self) -> float:
        return time.monotonic() - self.start

    def post(self, host: str, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        parts = urlsplit(host)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("POST", path, body=json.dumps(body), headers={
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            })  # fmt: skip
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read() or b"{}")
        finally:
            connection.close()

    def user(self, n: int, rng: random.Random) -> None:
        """One check: the risk system creates it, its user answers, the risk system reports."""
        try:
            roll = rng.random()
            decision = "stop" if roll < 0.7 else "continue" if roll < 0.9 else "walk away"
            body = {
                "subject": {
                    "ref": f"u-{n:07d}",
                    "age_band": rng.choice(AGE_BANDS),
                    "locale": "zh-hans",
                    "region_code": rng.choice(REGIONS),
                },
                "transfer": {
                    "amount": f"{rng.randint(100, 40000)}.00",
                    "currency": "CNY",
                    "channel": "app",
                    "payee_type": "personal",
                },
                "risk": {"score": 0.9, "scam_types": [rng.choice(SCAM_TYPES)], "reasons": []},
            }
            started = time.perf_counter()
            status, created = self.post(self.hosts[n % 2], "/api/v1/transfer-checks", body)
            self.creates.append((self.now(), time.perf_counter() - started))
            if status != 201:
                self.errors.append(f"create {status}: {created}")
                return
            check_id = str(created["id"])
            self.checks[check_id] = decision

            def timed(kind: str, seconds: float) -> None:
                self.screens.append((self.now(), seconds))
                time.sleep(THINK * rng.uniform(0.5, 1.5))  # the user reads, then taps

            walker = QuizWalker(
                self.hosts[n % 2 :] + self.hosts[: n % 2],
                decision=decision,
                on_request=timed,
                pick=rng.choice,
            )
            began = self.now()
            walker.walk(str(created["quiz_url"]))
            self.finished.append((self.now(), check_id))
            self.walks.append((began, self.now()))
            if decision == "walk away":
                return
            resolution = (
                "completed"
                if decision == "continue"
                else "reported_fraud"
                if rng.random() < 0.1
                else "cancelled"
            )
            status, answer = self.post(
                self.hosts[(n + 1) % 2],
                f"/api/v1/transfer-checks/{check_id}/resolution",
                {"resolution": resolution},
            )
            if status != 200:
                self.errors.append(f"resolution {status}: {answer}")
        except Exception as error:  # a failed user is a figure, not a crash of the bench
            self.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
        finally:
            self.users.release()


def server_pids(topology: Topology) -> list[int]:
    """The platform's processes and PostgreSQL's and Redis's, for CPU and memory."""
    found = [process.proc.pid for process in topology.processes]
    port = str(urlsplit(os.environ["DATABASE_URL"]).port)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if argv[0].endswith(b"postgres") and port.encode() in argv:
                found.append(int(proc.name))  # the postmaster: backends are its children
    if os.environ.get("TEST_REDIS_PID"):
        found.append(int(os.environ["TEST_REDIS_PID"]))
    return found


def _usage(pids: list[int]) -> tuple[float, int]:
    usages = [pid_usage(pid) for pid in pids]
    return sum(u[0] for u in usages), sum(u[1] for u in usages)


def _static_up_to_date() -> bool:
    """The collected files are newer than every source (as make's rule for them decides)."""
    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [p for folder in ("static", "templates") for p in (ROOT / folder).rglob("*")]
    return all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources if p.is_file())


class Sampler(threading.Thread):
    """CPU and memory of the server processes, once a second, for any window afterwards."""

    def __init__(self, pids: list[int], clock: Callable[[], float]) -> None:
        super().__init__(daemon=True)
        self.pids, self.clock = pids, clock
        self.samples: list[tuple[float, float, int]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append((self.clock(), *_usage(self.pids)))
            self.stopped.wait(1)

    def window(self, start: float, end: float) -> tuple[float, int]:
        """Cores busy on average between ``start`` and ``end``, and the most memory."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return float("nan"), 0
        (t0, c0, _), (t1, c1, _) = inside[0], inside[-1]
        return (c1 - c0) / (t1 - t0), max(s[2] for s in inside)


def main() -> int:  # noqa: C901 - one script, read top to bottom
    logs = ROOT / "var" / "bench-day"
    env = environment(logs)
    rng = random.Random(SEED)
    schedule = arrivals(rng)
    print(
        f"day: {len(schedule)} checks in {DAY:.0f}s (peak {PEAK_RATE}/s, average "
        f"{PEAK_RATE / 10:.2f}/s), {os.cpu_count()} cores; receiver down "
        f"{OUTAGE[0]:.0%}-{OUTAGE[1]:.0%} of the day; TTL {TTL}s; load average {os.getloadavg()}",
        flush=True,
    )
    setup_started = time.monotonic()
    timings = {}
    for step in (["migrate", "--noinput", "-v0"], ["load_regions", "--no-progress", "-v0"],
                 ["collectstatic", "--noinput", "-v0"], ["shell", "-c", SETUP]):  # fmt: skip
        began = time.monotonic()
        if step[0] != "collectstatic" or not _static_up_to_date():
            manage(env, *step)
        timings[step[0]] = round(time.monotonic() - began)
    receiver = WebhookReceiver()
    client = json.loads(
        manage(env, "create_api_client", f"day-{uuid.uuid4().hex[:6]}", "--webhook-url",
               receiver.url, "--rate-limit", "100000000", "--json")
    )  # fmt: skip
    with Topology(env, logs) as topology:
        hosts = [topology.web(f"web-{n}", workers=WEB_WORKERS, wait=False) for n in (1, 2)]
        for n in (1, 2):
            topology.worker(f"worker-{n}", concurrency=CONCURRENCY, wait=False)
        topology.beat(wait=False)
        topology.wait()
        print(f"setup: {time.monotonic() - setup_started:.0f}s {timings}", flush=True)
        day = Day(hosts=hosts, api_key=client["api_key"])
        day.start = time.monotonic()
        sampler = Sampler(server_pids(topology), day.now)
        sampler.start()
        outage = (OUTAGE[0] * DAY, OUTAGE[1] * DAY)
        peak = (PEAK_WINDOW[0] * DAY, PEAK_WINDOW[1] * DAY)
        receiver_down = False
        threads: list[threading.Thread] = []
        for n, at in enumerate(schedule):
            while (now := day.now()) < at:
                if not receiver_down and outage[0] <= now < outage[1]:
                    receiver.down()
                    receiver_down = True
                elif receiver_down and now >= outage[1]:
                    receiver.up()
                    receiver_down = False
                time.sleep(min(0.01, at - now))
            if not day.users.acquire(blocking=False):
                day.refused_users += 1
                continue
            thread = threading.Thread(target=day.user, args=(n, random.Random(SEED * 1e6 + n)))
            thread.start()
            threads.append(thread)
        while day.now() < DAY:
            if receiver_down and day.now() >= outage[1]:
                receiver.up()
                receiver_down = False
            time.sleep(0.05)
        if receiver_down:
            receiver.up()
        for thread in threads:
            thread.join(timeout=120)
        day_ended = day.now()
        print(
            f"day over at {day_ended:.0f}s; waiting for every check to end and arrive", flush=True
        )
        # Drain: walk-aways end when their link runs out (the minute sweeper), retries after
        # the outage follow their backoff.
        created = len(day.checks)
        deadline = time.monotonic() + TTL + 300
        while time.monotonic() < deadline:
            ids = {d.event["data"]["id"] for d in receiver.received()}  # type: ignore[index]
            if len(ids & set(day.checks)) >= created:
                break
            time.sleep(1)
        drained = day.now()
        time.sleep(3)  # any late duplicate
        status = shell(env, STATUS)
        sampler.stopped.set()

    # With every process stopped (no refresh holds the lock): the figures as the refreshes
    # left them, with one more refresh for the last minutes, then after a full rebuild.
    refreshed = shell(env, FIGURES.format(job="reach.refresh"))
    rebuilt = shell(env, FIGURES.format(job="reach.rebuild"))
    if "skipped" in (refreshed["outcome"], rebuilt["outcome"]):
        sys.exit("the reach lock was held: the comparison would prove nothing")

    deliveries = receiver.received()
    receiver.down()
    first: dict[str, float] = {}
    completed: dict[str, float] = {}
    for d in deliveries:
        event_id = d.headers.get("webhook-id", "")
        first.setdefault(event_id, d.received_at)
        data = d.event["data"]
        if data.get("completed_at"):  # type: ignore[union-attr]
            completed[event_id] = datetime.fromisoformat(data["completed_at"]).timestamp()  # type: ignore[index]
    delivered_checks = {d.event["data"]["id"] for d in deliveries}  # type: ignore[index]
    lost = len(set(day.checks) - delivered_checks)
    duplicates = len(deliveries) - len(first)
    wall_of = lambda at: at + (time.time() - time.monotonic()) + day.start  # noqa: E731
    outage_wall = (wall_of(outage[0]), wall_of(outage[1]))
    lag_normal, lag_outage = [], []
    for event_id, received in first.items():
        if event_id not in completed:
            continue
        lag = received - completed[event_id]
        in_outage = outage_wall[0] <= completed[event_id] < outage_wall[1]
        (lag_outage if in_outage else lag_normal).append(lag)

    # Whole checks at the peak: users who finished in the peak window, moved on by how long
    # a user takes (they arrive in the window and finish that much later); the processes'
    # CPU over the same moved window.
    walk = statistics.median(end - begin for begin, end in day.walks) if day.walks else 0.0
    peak_seconds = peak[1] - peak[0]
    offered = sum(1 for at in schedule if peak[0] <= at < peak[1]) / peak_seconds
    late = (peak[0] + walk, peak[1] + walk)
    whole = sum(1 for at, _ in day.finished if late[0] <= at < late[1]) / peak_seconds
    cores_at_peak, rss_peak = sampler.window(*late)
    cores_per_check_s = cores_at_peak / whole if whole else float("nan")
    # CPU per check over the whole day and drain (idle polling of beat and workers included).
    (t_first, c_first, _), (t_last, c_last, _) = sampler.samples[0], sampler.samples[-1]
    cpu_per_check = (c_last - c_first) / max(1, len(day.checks))

    ms = [s * 1000 for _, s in day.creates]
    screens = [s * 1000 for _, s in day.screens]
    equal = refreshed["rows"] == rebuilt["rows"]
    counted = sum(len(rows) for rows in rebuilt["rows"].values())
    print()
    print(
        f"checks created: {len(day.checks)}   users turned away (over {MAX_USERS}): "
        f"{day.refused_users}   errors: {len(day.errors)}"
    )
    for error in day.errors[:5]:
        print(f"  error: {error}")
    print(f"outcomes: {status['status']}   machine load average at the end: {os.getloadavg()}")
    print(
        f"peak: offered {offered:.1f} checks/s, sustained {whole:.1f} whole checks/s "
        f"(create, quiz, decision, resolution, webhook) over {peak_seconds:.0f}s"
    )
    print(
        f"create call: p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms "
        f"({len(ms)} calls)"
    )
    print(
        f"quiz screens: p50 {percentile(screens, 50):.1f} ms, p99 "
        f"{percentile(screens, 99):.1f} ms ({len(screens)} requests, "
        f"{len(screens) / max(1, len(day.checks)):.1f} per check)"
    )
    print(
        f"webhook lag: p50 {percentile(lag_normal, 50):.2f} s, p99 "
        f"{percentile(lag_normal, 99):.2f} s ({len(lag_normal)} events)"
    )
    print(
        f"webhook lag of checks ended while the receiver was down: p50 "
        f"{percentile(lag_outage, 50):.1f} s, p99 {percentile(lag_outage, 99):.1f} s "
        f"({len(lag_outage)} events); all arrived {drained - day_ended:.0f}s after the day"
    )
    print(
        f"webhooks lost: {lost}   duplicates beyond at-least-once: {duplicates}   "
        f"undelivered in the outbox: {status['undelivered']}   given up: {status['given_up']}"
    )
    print(
        f"reach figures after the run equal to a full rebuild: {'yes' if equal else 'NO'} "
        f"({counted} rows)"
    )
    print(
        f"cpu at the peak: {cores_at_peak:.2f} cores (web, workers, beat, PostgreSQL, Redis) "
        f"= {cores_per_check_s:.3f} cores per check/s; memory {rss_peak / 2**20:.0f} MiB"
    )
    print(
        f"cpu per check over the day: {cpu_per_check * 1000:.0f} ms (all server processes, "
        f"{t_last - t_first:.0f}s)"
    )
    national = cores_per_check_s * NATIONAL_PEAK
    print(
        f"national peak ({NATIONAL_PEAK:.0f} checks/s, 500,000 a day): {national:.1f} cores "
        f"busy, {math.ceil(national / 0.6)} cores at 60 % utilisation"
    )
    per_100k = cores_per_check_s * NATIONAL_PEAK / 5
    print(
        f"per 100,000 checks a day (peak {NATIONAL_PEAK / 5:.1f}/s): {per_100k:.2f} cores busy "
        f"at the peak"
    )
    return 0 if lost == 0 and equal and not day.errors else 1


if __name__ == "__main__":
    sys.exit(main())
