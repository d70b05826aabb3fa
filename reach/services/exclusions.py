"""Staff leave an API client's checks out of the public figures, or count them again.

The flag is a column of the client (quizzes.ApiClient.figures_excluded_at) but only the
figures read it, so the use case lives here, where the rebuild it needs is known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from core import clock
from core.audit import AuditAction
from core.services import audit_log_record
from quizzes.models import ApiClient


def _figures_set(
    *, client: ApiClient, excluded_at: datetime | None, action: AuditAction, by: Any
) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    before = client.figures_excluded_at
    if (before is None) == (excluded_at is None):
        return client
    client.figures_excluded_at = excluded_at
    client.save(update_fields=["figures_excluded_at"])
    audit_log_record(
        actor=by,
        action=action,
        target=client,
        data={"client": client.name},
        before={"figures_excluded_at": before.isoformat() if before else None},
        after={"figures_excluded_at": excluded_at.isoformat() if excluded_at else None},
    )
    from ..tasks import rebuild  # the task module imports these services

    transaction.on_commit(rebuild.delay)
    return client


@transaction.atomic
def api_client_figures_exclude(
    *, client: ApiClient, by: Any, now: datetime | None = None
) -> ApiClient:
    """Leave every check of ``client`` out of every figure (shown, heeded, proceeded,
    protected funds, person-times) of the summary tables. Audited with before/after;
    enqueues the full reach rebuild on commit (the nightly rebuild catches a lost
    enqueue). Idempotent: excluding an excluded client changes and records nothing."""
    return _figures_set(
        client=client,
        excluded_at=now or clock.now(),
        action=AuditAction.API_CLIENT_FIGURES_EXCLUDED,
        by=by,
    )


@transaction.atomic
def api_client_figures_include(*, client: ApiClient, by: Any) -> ApiClient:
    """Count ``client``'s checks in the figures again; audited, rebuilds on commit,
    idempotent, like ``api_client_figures_exclude``."""
    return _figures_set(
        client=client, excluded_at=None, action=AuditAction.API_CLIENT_FIGURES_INCLUDED, by=by
    )
