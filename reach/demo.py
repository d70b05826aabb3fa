"""Demo figures: the summary tables computed from the other apps' demo content."""

from __future__ import annotations

from .services import reach_job


def reach_demo_seed() -> int:
    """Refresh the reach statistics so the impact page shows the demo at once. Idempotent."""
    return reach_job("reach.refresh").rows_changed


def demo_seed() -> list[str]:
    """seed_demo's part (core/demo.py): after every app it counts."""
    reach_demo_seed()
    return []
