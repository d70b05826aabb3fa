from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from regions.services import DEFAULT_SOURCE, region_rows_parse, regions_load


class Command(BaseCommand):
    help = "Load China's administrative regions (province, prefecture, county). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_SOURCE,
            help="'code name' per line (default: the shipped MCA 2024 table)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self, *args: Any, file: Path, no_progress: bool, verbosity: int, **options: Any
    ) -> None:
        try:
            rows = region_rows_parse(file.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=total,
                    unit="region",
                    # The wrapped stream itself (the stubs do not declare _out).
                    file=cast(TextIO, self.stderr._out),
                    disable=no_progress or verbosity == 0,
                )
            bar.update(done)

        counts = regions_load(rows=rows, progress=progress)
        if bar is not None:
            bar.close()
        if verbosity:
            self.stdout.write(
                _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % counts
            )
