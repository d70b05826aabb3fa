"""A transfer check as its client sees it: the signed quiz link and the JSON body the
API and the webhooks share."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing

from ..models import (
    TransferCheck,
)

logger = logging.getLogger(__name__)


QUIZ_SALT = "quizzes.transfer-check-quiz"


def quiz_token(check_id: Any) -> str:
    return signing.TimestampSigner(salt=QUIZ_SALT).sign(str(check_id).replace("-", ""))


def quiz_token_check_id(token: str) -> str | None:
    """The check id a quiz link names, or None if the signature is wrong or the link is older
    than the longest check lifetime."""
    try:
        return signing.TimestampSigner(salt=QUIZ_SALT).unsign(
            token, max_age=settings.TRANSFER_CHECK_TTL + 60
        )
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return None


def quiz_url(check: TransferCheck) -> str:
    return f"{settings.SITE_URL}/t/{quiz_token(check.id)}/"


def transfer_check_body(check: TransferCheck, *, with_url: bool = False) -> dict[str, Any]:
    """The check as the API and webhooks show it."""
    body: dict[str, Any] = {
        "id": str(check.id),
        "status": check.status,
        "score": check.score,
        "total": check.total if check.items else None,
        "resolution": check.resolution or None,
        "flags": {
            "opened": check.opened_at is not None,
            "all_correct": (check.score == check.total) if check.score is not None else None,
        },
        "subject_ref": check.subject_ref,
        "amount": f"{Decimal(check.amount):.2f}",
        "currency": check.currency,
        "created_at": check.created_at.isoformat(),
        "expires_at": check.expires_at.isoformat(),
        "opened_at": check.opened_at.isoformat() if check.opened_at else None,
        "completed_at": check.completed_at.isoformat() if check.completed_at else None,
        "resolved_at": check.resolved_at.isoformat() if check.resolved_at else None,
    }
    if with_url:
        body["quiz_url"] = quiz_url(check)
    return body
