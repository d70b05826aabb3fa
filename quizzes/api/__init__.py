"""The transfer-check API for payment risk systems (docs/transfer-checks.md).

Thin views: validate strictly, call a service, shape the answer. Unknown fields are rejected
(a typo must not silently drop a hint). Every error is problem+json with a stable type."""

from __future__ import annotations

from core.serializers import Strict

from .fast_path import transfer_check_create_fast, transfer_check_input_fast
from .inputs import (
    AMOUNT_RE,
    CURRENCIES,
    IDEMPOTENCY_KEY_RE,
    MAX_BODY_BYTES,
    AmountField,
    RiskInput,
    ScamTypeField,
    SubjectInput,
    TransferInput,
    scam_type_codes,
)
from .transfer_checks import (
    TransferCheckCreateApi,
    TransferCheckDetailApi,
    TransferCheckResolutionApi,
)

__all__ = [
    "AMOUNT_RE",
    "CURRENCIES",
    "IDEMPOTENCY_KEY_RE",
    "MAX_BODY_BYTES",
    "AmountField",
    "RiskInput",
    "ScamTypeField",
    "Strict",
    "SubjectInput",
    "TransferCheckCreateApi",
    "TransferCheckDetailApi",
    "TransferCheckResolutionApi",
    "TransferInput",
    "scam_type_codes",
    "transfer_check_create_fast",
    "transfer_check_input_fast",
]
