"""Reads of the platform core: readiness of the parts a request depends on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result: dict[str, Any] = {
        "status": "ok",
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if detail:
        result["detail"] = detail
    return result


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> str | None:
    from config.celery import app

    url = str(app.conf.broker_url)
    if url.startswith("filesystem://"):
        folder = Path(app.conf.broker_transport_options["data_folder_out"])
        if not folder.is_dir():
            raise RuntimeError(f"broker folder {folder} is missing")
        return "filesystem"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return str(conn.transport.driver_name)


def _cache() -> None:
    cache.set("readyz", "1", timeout=10)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def readiness_report() -> dict[str, Any]:
    """Check the database, the Celery broker and (with Redis) the cache.

    Returns ``{"status": "ok"|"error", "checks": {...}}``; never raises."""
    checks = {"database": _timed(_database), "broker": _timed(_broker)}
    if settings.REDIS_URL:
        checks["cache"] = _timed(_cache)
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    return {"status": status, "checks": checks}
