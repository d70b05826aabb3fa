"""The logging configuration of every profile: one JSON object (or text line) per record on
stdout, with the request id, and personal data masked (core/logging.py)."""

from typing import Any


def build_logging(log_format: str, level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.logging.RequestIdFilter"},
            # No mobile, ID number or e-mail in any line (docs/privacy.md).
            "redact_personal": {"()": "core.logging.RedactPersonalFilter"},
        },
        "formatters": {
            "json": {"()": "core.logging.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "redact_personal"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
        },
    }
