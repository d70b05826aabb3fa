from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from reach.services import reach_job


class Command(BaseCommand):
    help = "Recompute every reach-statistics cell from the source tables (shows progress)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="Print no progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["no_progress"]:
                return
            if bar is None:
                # The wrapped stream itself (the stubs do not declare _out).
                bar = tqdm(total=total, unit="step", file=cast(TextIO, self.stderr._out))
            bar.update(done - bar.n)

        try:
            result = reach_job("reach.rebuild", progress=progress)
        finally:
            if bar is not None:
                bar.close()
        if result.outcome == "skipped":
            self.stderr.write(_("Another refresh or rebuild holds the lock; try again shortly."))
            return
        self.stdout.write(
            _("Rebuilt reach statistics: %(days)d days, %(rows)d rows changed.")
            % {"days": result.cells, "rows": result.rows_changed}
        )
