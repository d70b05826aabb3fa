"""Loading the administrative-region table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Level, Region
from .selectors import county_codes_forget

DEFAULT_SOURCE = Path(__file__).resolve().parent / "data" / "mca-2024.txt"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


def region_rows_parse(lines: Iterable[str]) -> list[RegionRow]:
    """Parse ``code name`` lines and work out each row's level and parent.

    A code ending in 0000 is a province, in 00 a prefecture, else a county. A county's parent
    is ``code[:4]+"00"`` when that row exists, else its province (municipal districts,
    province-administered county units). Raises ValueError naming the bad line."""
    raw: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        code, _, name = line.partition(" ")
        name = name.strip()
        if len(code) != 6 or not code.isdigit() or not name:
            raise ValueError(f"line {number}: expected '<6-digit code> <name>', got {line!r}")
        raw.append((code, name))
    codes = {code for code, _ in raw}
    rows = []
    for code, name in raw:
        if code.endswith("0000"):
            rows.append(RegionRow(code, name, Level.PROVINCE, None))
            continue
        province = code[:2] + "0000"
        if province not in codes:
            raise ValueError(f"{code} {name}: its province {province} is not in the table")
        if code.endswith("00"):
            rows.append(RegionRow(code, name, Level.PREFECTURE, province))
        else:
            prefecture = code[:4] + "00"
            parent = prefecture if prefecture in codes else province
            rows.append(RegionRow(code, name, Level.COUNTY, parent))
    return rows


@transaction.atomic
def regions_load(
    *,
    rows: list[RegionRow],
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> dict[str, int]:
    """Insert or update every row, parents before children. Idempotent and atomic: run twice,
    the table is the same; a failure leaves the previous table untouched.

    ``progress(n, total)`` is told after each batch of ``n`` of ``total`` changed rows.
    Returns counts of ``created``, ``updated`` and ``unchanged`` rows."""
    existing = {r.code: (r.name, r.level, r.parent_id) for r in Region.objects.all()}
    order = {Level.PROVINCE: 0, Level.PREFECTURE: 1, Level.COUNTY: 2}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changed: list[Region] = []
    for row in sorted(rows, key=lambda r: (order[Level(r.level)], r.code)):
        before = existing.get(row.code)
        if before is None:
            counts["created"] += 1
        elif before == (row.name, row.level, row.parent_code):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        changed.append(
            Region(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
        )
    for start in range(0, len(changed), batch_size):
        batch = changed[start : start + batch_size]
        Region.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
        if progress:
            progress(len(batch), len(changed))
    if changed:
        # This process reads the new table at once (and after commit, in case a request re-read
        # the old one meanwhile); other processes after the selector's TTL.
        county_codes_forget()
        transaction.on_commit(county_codes_forget)
    return counts
