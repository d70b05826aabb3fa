import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import WorkerPing
from core.services import worker_ping_request


class Command(BaseCommand):
    help = "Send a ping through the broker and wait until a Celery worker answers it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")

    def handle(self, *args: Any, timeout: float, **options: Any) -> None:
        ping = worker_ping_request()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ping = WorkerPing.objects.get(pk=ping.pk)
            if ping.answered_at:
                seconds = (ping.answered_at - ping.requested_at).total_seconds()
                self.stdout.write(f"Worker {ping.worker} answered in {seconds:.2f}s.")
                return
            time.sleep(0.2)
        raise CommandError(f"No worker answered within {timeout:.0f}s (ping {ping.pk}).")
