"""seed_demo's part for regions: the shipped MCA 2024 table. Idempotent."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .services import DEFAULT_SOURCE, region_rows_parse, regions_load


def demo_seed() -> list[str]:
    regions = regions_load(rows=region_rows_parse(DEFAULT_SOURCE.read_text("utf-8").splitlines()))
    return [
        _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % regions
    ]
