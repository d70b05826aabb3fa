"""Reads of the platform core: readiness of the parts a request depends on."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)


def _timed(name: str, check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception:
        # The probe names the failing part; what failed and why goes to the log, never to
        # the answer (exception text can carry host names, users and paths).
        logger.warning("readiness check %s failed", name, exc_info=True)
        return {"status": "error"}
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
    from celery import current_app as app  # config.celery's app, without importing config

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
    checks = {"database": _timed("database", _database), "broker": _timed("broker", _broker)}
    if settings.REDIS_URL:
        checks["cache"] = _timed("cache", _cache)
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    return {"status": status, "checks": checks}
