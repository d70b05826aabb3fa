"""The production topology on one machine: web (gunicorn), worker and beat (Celery)
processes started as the Procfile starts them, against the PostgreSQL and Redis the caller
names, plus a webhook receiver on loopback and a walker that answers the hosted quiz by
following the forms of its pages, as a phone's browser would.

Used by tests/core/test_topology.py (two web processes, two workers, one check) and by
bench/day.py (a compressed day). Only the standard library: the processes it starts import
Django, this module does not.

    with Topology(env, logs) as topology:
        a, b = topology.web("a"), topology.web("b")
        topology.worker("w1"), topology.worker("w2")
        ...
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def usage(self) -> tuple[float, int]:
        """CPU seconds and resident bytes of the process and its children."""
        return pid_usage(self.proc.pid)


def pid_usage(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system, with children already waited for) and memory (PSS: pages
    shared between processes counted once, split among them) of a process and its live
    children, from /proc."""
    cpu, memory = 0.0, 0
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    memory += int(line.split()[1]) * 1024
    return cpu, memory


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    return found


@dataclass
class Topology:
    """Processes of the platform on loopback; ``env`` names the settings module, the
    database, Redis and everything else they read. Stopping is by process group, in the
    reverse order of starting."""

    env: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)
    pending: list[tuple[Process, Callable[[], bool]]] = field(default_factory=list)

    def __enter__(self) -> Topology:
        self.logs.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self, name: str, args: list[str]) -> Process:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, proc, log)
        self.processes.append(process)
        return process

    def _ready(self, process: Process, ready: Callable[[], bool], wait: bool) -> None:
        self.pending.append((process, ready))
        if wait:
            self.wait()

    def wait(self, timeout: float = 90) -> None:
        """Wait until every process started so far is ready (they start side by side)."""
        deadline = time.monotonic() + timeout
        for process, ready in self.pending:
            _wait(ready, process, max(deadline - time.monotonic(), 1))
        self.pending.clear()

    def web(self, name: str, *, workers: int = 1, wait: bool = True) -> str:
        """Start gunicorn (sync workers, as the Procfile's ``web``); return its base URL,
        once /healthz answers unless ``wait`` is false (then see :meth:`wait`)."""
        port = free_port()
        process = self._start(
            name,
            ["gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--timeout", "30", "--graceful-timeout", "10"],
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        self._ready(process, lambda: _get_status(f"{url}/healthz") == 200, wait)
        return url

    def worker(self, name: str, *, concurrency: int = 1, wait: bool = True) -> Process:
        """Start a Celery worker (prefork, as the Procfile's ``worker``)."""
        process = self._start(
            name,
            ["celery", "-A", "config", "worker", "--loglevel=INFO", "--without-gossip",
             "--without-mingle", f"--concurrency={concurrency}", "-n", f"{name}@%h"],
        )  # fmt: skip
        self._ready(process, lambda: "ready." in process.text(), wait)
        return process

    def beat(self, *, wait: bool = True) -> Process:
        """Start the one Celery beat (schedules from the database)."""
        process = self._start(
            "beat",
            ["celery", "-A", "config", "beat", "--loglevel=INFO",
             "-s", str(self.logs / "beat-schedule")],
        )  # fmt: skip
        self._ready(process, lambda: "beat: Starting" in process.text(), wait)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.proc.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.proc.pid, signal.SIGKILL)
                process.proc.wait()
        self.processes.clear()


def _get_status(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status
    finally:
        connection.close()


def _wait(ready: Callable[[], bool], process: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.text()[-3000:]}")
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{process.name} not ready in {timeout}s:\n{process.text()[-3000:]}")


# --- The risk system's webhook endpoint -----------------------------------------------------


@dataclass
class Delivery:
    received_at: float  # time.time()
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 answering 204, which can be taken down (its port
    closed: deliveries are refused) and brought back on the same port."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/anquan"
        self._server: ThreadingHTTPServer | None = None
        self.up()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                delivery = Delivery(
                    time.time(), {k.lower(): v for k, v in self.headers.items()}, body
                )
                with receiver.lock:
                    receiver.deliveries.append(delivery)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def up(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)

    def wait_for(self, count: int, timeout: float = 60) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(got := self.received()) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received())} of {count} webhooks in {timeout}s")


# --- A phone's browser on the hosted quiz ---------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    choices: list[tuple[str, str]] = field(default_factory=list)  # checkboxes and radios


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []  # (class, href)
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "a" and a.get("href"):
            self.links.append((a.get("class", ""), a["href"]))
        elif self._form is not None and tag in {"input", "button"}:
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            name, value = a.get("name", ""), a.get("value", "")
            if kind == "hidden" and name:
                self._form.fields.append((name, value))
            elif kind in {"checkbox", "radio"} and name:
                self._form.choices.append((name, value))
            elif kind == "submit":
                self._form.buttons.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


@dataclass
class Page:
    url: str
    status: int
    html: str
    forms: list[Form]
    links: list[tuple[str, str]]


class QuizWalker:
    """Walks the hosted quiz from its link by what each page offers: a form to submit
    (Start, an answer, the final choice) or the "next" link, never a hard-coded URL.
    Requests go to the given web processes in turn (each request to the next one), cookies
    kept as a browser keeps them. ``decision`` is "stop", "continue", or "walk away" (leave
    after the first question); ``on_request`` receives (kind, seconds) for every request."""

    def __init__(
        self,
        hosts: list[str],
        *,
        decision: str,
        on_request: Callable[[str, float], None] | None = None,
        pick: Callable[[list[tuple[str, str]]], tuple[str, str]] | None = None,
    ) -> None:
        self.hosts = hosts
        self.turn = 0
        self.decision = decision
        self.cookies: dict[str, str] = {}
        self.on_request = on_request or (lambda kind, seconds: None)
        self.pick = pick or (lambda options: options[0])
        self.requests = 0

    def _host(self) -> str:
        host = self.hosts[self.turn % len(self.hosts)]
        self.turn += 1
        return host

    def request(self, method: str, url: str, data: list[tuple[str, str]] | None = None) -> Page:
        """One request to the next host (the URL's path and query only), then its redirects,
        each to the next host again."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for _ in range(10):
            host = urlsplit(self._host())
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if data is not None:
                body = urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            self.on_request(method, time.perf_counter() - started)
            self.requests += 1
            connection.close()
            for header in answer.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if answer.status in {301, 302, 303} and answer.headers.get("Location"):
                path = urljoin(path, answer.headers["Location"])
                method, data, body = "GET", None, None
                continue
            parser = _PageParser()
            parser.feed(content.decode("utf-8", errors="replace"))
            return Page(path, answer.status, content.decode(errors="replace"),
                        parser.forms, parser.links)  # fmt: skip
        raise RuntimeError(f"too many redirects from {url}")

    def _submit(self, page: Page, form: Form, extra: list[tuple[str, str]]) -> Page:
        action = urljoin(page.url, form.action or page.url)
        return self.request(form.method.upper(), action, form.fields + extra)

    def walk(self, quiz_url: str, *, max_steps: int = 30) -> Page:
        """Open the link and go on until the quiz ends (no form, no next link) or, for
        "walk away", until the first question is answered. Returns the last page."""
        page = self.request("GET", quiz_url)
        # The quiz's own forms and links are under its link's path (the page's layout may
        # have others, such as a language switch).
        prefix = urlsplit(quiz_url).path
        answered = 0
        for _ in range(max_steps):
            if page.status != 200:
                raise RuntimeError(f"{page.url} answered {page.status}:\n{page.html[:2000]}")
            ours = [
                f
                for f in page.forms
                if (to := urljoin(page.url, f.action)).startswith(prefix)
                and not to.endswith("/elder-mode")  # the type size, not a step
            ]
            form = ours[0] if ours else None
            names = {name for name, _ in form.buttons + form.choices} if form else set()
            if form is not None and "decision" in names:
                choice = "stop" if self.decision == "stop" else "continue"
                return self._submit(page, form, [("decision", choice)])
            if form is not None and "option" in names:
                if self.decision == "walk away" and answered:
                    return page
                if form.choices:  # several may be right: tick one, press the button
                    page = self._submit(page, form, [self.pick(form.choices)])
                else:  # one tap answers: each option is its own button
                    options = [b for b in form.buttons if b[0] == "option"]
                    page = self._submit(page, form, [self.pick(options)])
                answered += 1
                continue
            if form is not None:  # a plain form, such as Start
                page = self._submit(page, form, [b for b in form.buttons if b[0]][:1])
                continue
            onward = [
                (0 if "quiz-next" in cls else 1, href)
                for cls, href in page.links
                if (to := urljoin(page.url, href)).startswith(prefix) and to != page.url
            ]
            following = [href for _, href in sorted(onward)]
            if not following:
                return page
            page = self.request("GET", urljoin(page.url, following[0]))
        raise RuntimeError(f"the quiz did not end in {max_steps} steps at {page.url}")


@contextlib.contextmanager
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    try:
        yield server
    finally:
        server.down()
