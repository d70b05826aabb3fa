"""System checks of the platform's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def metrics_token_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """/metrics tells an attacker the traffic, the errors and the code paths: in production it
    answers only with the operator's token (core.views.metrics), so a deployment without one
    has no metrics at all and should say so before it goes live."""
    if getattr(settings, "SETTINGS_PROFILE", "") == "production" and not (
        settings.METRICS_BEARER_TOKEN
    ):
        return [
            checks.Error(
                "METRICS_BEARER_TOKEN is not set: /metrics is closed in production without it.",
                hint="Set METRICS_BEARER_TOKEN to a long random value and give it to Prometheus "
                "(authorization: credentials).",
                id="core.E020",
            )
        ]
    return []


@checks.register(checks.Tags.translation, deploy=True)
def traditional_catalogue_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """zh-hant is offered in every language switch, but its catalogue is build output
    (core.hant_catalogue): a release that compiled only the committed catalogues would show
    Traditional readers the English source strings."""
    from .hant import TRADITIONAL

    if TRADITIONAL not in dict(settings.LANGUAGES):
        return []
    built = [Path(path) / "zh_Hant" / "LC_MESSAGES" / "django.mo" for path in settings.LOCALE_PATHS]
    if any(path.is_file() for path in built):
        return []
    return [
        checks.Warning(
            "The zh-hant catalogue is not built: Traditional Chinese pages would be in English.",
            hint="Run `python manage.py messages_hant` and then compilemessages "
            "(`make messages` does both).",
            id="core.W021",
        )
    ]


@checks.register(deploy=True)
def certificate_fonts_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Certificates draw names through a chain of CJK fonts (core.fonts); without the primary
    font none can be drawn, and without the fallbacks rare characters are refused at input."""
    from core import fonts

    chain = fonts.font_chain()
    if not chain:
        return [
            checks.Error(
                "No CJK font found: certificates cannot be drawn.",
                hint="apt-get install fonts-noto-cjk (scripts/system-deps.sh does it).",
                id="core.E030",
            )
        ]
    if len(chain) == 1:
        return [
            checks.Warning(
                "Only one CJK font found: names with rare characters (CJK Extensions B and "
                "later) will be refused.",
                hint="apt-get install fonts-babelstone-han fonts-hanazono.",
                id="core.W031",
            )
        ]
    return []


# The audit log's shortest retention (core.retention archives rows only after it).
AUDIT_LOG_MIN_DAYS = 180


@checks.register()
def audit_log_retention_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Audit rows are evidence of who did what with personal data: kept at least 180 days."""
    if int(settings.RETENTION_AUDIT_LOG_DAYS) < AUDIT_LOG_MIN_DAYS:
        return [
            checks.Error(
                f"RETENTION_AUDIT_LOG_DAYS is below {AUDIT_LOG_MIN_DAYS}: audit rows must be "
                "kept at least that long.",
                hint=f"Set it to {AUDIT_LOG_MIN_DAYS} or more (docs/privacy.md).",
                id="core.E021",
            )
        ]
    return []
