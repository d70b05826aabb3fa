"""Mainland mobile numbers as we store and look them up: 11 digits, no spaces or dashes, no
+86 prefix."""

from __future__ import annotations

import re

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def phone_normalise(phone: str) -> str:
    """The number without spaces, dashes or a leading +86 (not checked: see ``MOBILE``)."""
    phone = re.sub(r"[\s-]", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone
