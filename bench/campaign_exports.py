"""Memory of the campaign exports: streamed CSV and constant-memory XLSX against a naive
in-memory build, measured in the same run for two campaign sizes.

    .venv/bin/python bench/campaign_exports.py [small] [large]

Prints the peak Python heap (tracemalloc) of each way of exporting. The streamed ways stay
flat as the campaign grows; the naive ways grow with it. Uses a throwaway SQLite database.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-exports-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["LOG_LEVEL"] = "ERROR"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from campaigns import exports  # noqa: E402
from campaigns.models import Campaign, SessionLog, Status  # noqa: E402
from regions.models import Region  # noqa: E402


def fill(campaign: Campaign, county: Region, volunteer: User, n: int) -> None:
    SessionLog.objects.filter(campaign=campaign).delete()
    batch = []
    for i in range(n):
        batch.append(
            SessionLog(
                client_uuid=uuid.uuid4(),
                campaign=campaign,
                volunteer=volunteer,
                county=county,
                held_on=timezone.localdate(),
                venue_type="village_committee",
                venue_name=f"第{i}村村委会",
                attendees_elderly=30,
                attendees_total=30,
                topics="防范养老诈骗；认识96110劝阻专线",
                status=Status.APPROVED,
            )
        )
        if len(batch) == 5000:
            SessionLog.objects.bulk_create(batch)
            batch = []
    SessionLog.objects.bulk_create(batch)


def peak(work) -> tuple[float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 1024 / 1024, seconds


def streamed_csv(campaign: Campaign) -> None:
    for _chunk in exports.csv_chunks(exports._session_header(), exports.session_rows(campaign)):
        pass  # each chunk goes to the socket and is dropped


def naive_csv(campaign: Campaign) -> None:
    rows = [exports._session_header(), *exports.session_rows(campaign)]  # all rows at once
    b"".join(b"".join(exports.csv_chunks(rows[0], rows[1:])).splitlines())


def streamed_xlsx(campaign: Campaign) -> None:
    with tempfile.TemporaryFile() as out:
        exports.xlsx_write(out, exports._session_header(), exports.session_rows(campaign), "s")


def naive_xlsx(campaign: Campaign) -> None:
    import xlsxwriter

    with tempfile.TemporaryFile() as out:
        book = xlsxwriter.Workbook(out)  # default mode: every cell kept until close
        sheet = book.add_worksheet()
        for r, row in enumerate(list(exports.session_rows(campaign))):
            sheet.write_row(r, 0, row)
        book.close()


def main() -> None:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")  # make bench BENCH_QUICK=1
    sizes = [int(a) for a in sys.argv[1:]] or ([500, 5_000] if quick else [2_000, 20_000])
    call_command("migrate", verbosity=0)
    province = Region.objects.create(code="520000", name="贵州省", level="province")
    prefecture = Region.objects.create(
        code="522600", name="黔东南苗族侗族自治州", level="prefecture", parent=province
    )
    county = Region.objects.create(code="522634", name="雷山县", level="county", parent=prefecture)
    volunteer = User.objects.create(username="bench", display_name="蓝马甲")
    campaign = Campaign.objects.create(
        name="bench", starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    ways = [
        ("CSV streamed", streamed_csv),
        ("CSV naive (baseline)", naive_csv),
        ("XLSX constant_memory", streamed_xlsx),
        ("XLSX naive (baseline)", naive_xlsx),
    ]
    print(f"{'sessions':>9}  {'export':<24}{'peak MiB':>9}{'seconds':>9}")
    for n in sizes:
        fill(campaign, county, volunteer, n)
        for name, work in ways:
            mib, seconds = peak(lambda work=work: work(campaign))
            print(f"{n:>9}  {name:<24}{mib:>9.1f}{seconds:>9.2f}")


if __name__ == "__main__":
    main()
