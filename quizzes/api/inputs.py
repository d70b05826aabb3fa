"""The create call's input: strict serializers (unknown fields refused) and the limits both
the DRF view and the fast path share (the API's problem types are in core/problems.py)."""

from __future__ import annotations

import re
import time
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from core.serializers import (
    Strict,
    StrictCharField,
    StrictChoiceField,
    StrictFloatField,
    StrictRegexField,
)
from regions.selectors import county_codes

from .. import selectors
from ..codes import LOCALES
from ..models import TransferCheck

MAX_BODY_BYTES = 8 * 1024
RETURN_URL_MAX_LENGTH = 500
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$")
# ISO 4217 codes a Chinese payment platform transfers in.
CURRENCIES = ["CNY", "HKD", "MOP", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "AUD"]

_scam_type_codes: tuple[float, frozenset[str]] = (0.0, frozenset())


def scam_type_codes() -> frozenset[str]:
    """Known scam-type codes, re-read at most once a minute (editors add types rarely)."""
    global _scam_type_codes
    loaded_at, codes = _scam_type_codes
    if time.monotonic() - loaded_at > 60 or not codes:
        codes = frozenset(selectors.scam_types_all().values_list("code", flat=True))
        _scam_type_codes = (time.monotonic(), codes)
    return codes


@extend_schema_field({"type": "string", "pattern": AMOUNT_RE.pattern, "example": "5000.00"})
class AmountField(serializers.Field[str, Any, str, Any]):
    default_error_messages = {
        "invalid": _('Give the amount as a decimal string such as "5000.00".'),
        "positive": _("The amount must be greater than zero."),
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not AMOUNT_RE.fullmatch(data):
            self.fail("invalid")
        if float(data) <= 0:
            self.fail("positive")
        return data

    def to_representation(self, value: Any) -> str:
        return str(value)


class ScamTypeField(StrictCharField):
    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        if value not in scam_type_codes():
            raise serializers.ValidationError(_("Unknown scam type %s.") % value)
        return value


class CountyCodeField(StrictRegexField):
    """A six-digit code of the regions table's counties (regions.selectors.county_codes)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(r"^[0-9]{6}$", **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        if value not in county_codes():
            raise serializers.ValidationError(_("Unknown county code %s.") % value)
        return value


@extend_schema_serializer(component_name="TransferCheckSubject")
class SubjectInput(Strict):
    ref = StrictRegexField(
        r"^[A-Za-z0-9._:\-]{1,64}$",
        help_text="Pseudonymous subject reference; never a name or phone number.",
    )
    age_band = StrictChoiceField(TransferCheck.AgeBand.values, required=False)
    locale = StrictChoiceField(LOCALES, required=False)
    region_code = CountyCodeField(required=False)


@extend_schema_serializer(component_name="TransferCheckTransfer")
class TransferInput(Strict):
    amount = AmountField()
    currency = StrictChoiceField(CURRENCIES)
    channel = StrictChoiceField(TransferCheck.Channel.values, required=False)
    payee_type = StrictChoiceField(TransferCheck.PayeeType.values, required=False)


@extend_schema_serializer(component_name="TransferCheckRisk")
class RiskInput(Strict):
    score = StrictFloatField(min_value=0, max_value=1, required=False)
    scam_types = serializers.ListField(
        child=ScamTypeField(max_length=40), max_length=5, required=False
    )
    reasons = serializers.ListField(
        child=StrictRegexField(r"^[a-z0-9_]{1,40}$"), max_length=10, required=False
    )
