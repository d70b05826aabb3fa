"""Writes of reach statistics: the incremental refresh, the full rebuild and job records.

Both paths compute whole (county, day) cells with the same GROUP BY queries
(``_compute``) and write them with the same diff (``_sync``), so a rebuild and any sequence
of refreshes give exactly the same rows. Definitions: docs/reach.md."""

from __future__ import annotations

from .cells import (
    AGE_BAND,
    BAND_FIELDS,
    CENT,
    CHECK_FIELDS,
    DAILY_FIELDS,
    DAYS_PER_CHUNK,
    OFFLINE_FIELDS,
    SCAM_TYPE,
    UNPLACED,
    WATERMARK,
    BreakdownCell,
    CampaignCell,
    Cell,
    Row,
    Scope,
)
from .exclusions import api_client_figures_exclude, api_client_figures_include
from .jobs import RunResult, reach_job, reach_rebuild, reach_refresh

__all__ = [
    "AGE_BAND",
    "BAND_FIELDS",
    "CENT",
    "CHECK_FIELDS",
    "DAILY_FIELDS",
    "DAYS_PER_CHUNK",
    "OFFLINE_FIELDS",
    "SCAM_TYPE",
    "UNPLACED",
    "WATERMARK",
    "BreakdownCell",
    "CampaignCell",
    "Cell",
    "Row",
    "RunResult",
    "Scope",
    "api_client_figures_exclude",
    "api_client_figures_include",
    "reach_job",
    "reach_rebuild",
    "reach_refresh",
]
