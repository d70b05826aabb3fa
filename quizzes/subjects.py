"""Least data in the transfer-check contract: a subject reference is a pseudonym, never a
mobile number or a resident ID number (PIPL art. 6; docs/privacy.md).

``subject_ref_personal_kind`` finds what a careless client might send: the whole reference,
once its separators (``. _ : -``) are dropped, or one of its separated parts, being a
mainland mobile number (``1[3-9]`` and nine digits, with or without 86 in front) or a
resident ID number (18 characters whose check character is right, or the old 15-digit form),
after an optional run of letters (``u13812345678``, ``tel-138-1234-5678``). A random or
hashed pseudonym (hex, UUID, base32) does not match: its parts are not all digits."""

from __future__ import annotations

import re
from datetime import date

_CANDIDATE = re.compile(r"[A-Za-z]*([0-9]{11,18}[Xx]?)")
_SEPARATORS = re.compile(r"[._:\-]")
_MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9][0-9]{9}")
_ID18_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID18_CHECK = "10X98765432"

MOBILE = "mobile_number"
RESIDENT_ID = "resident_id_number"


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_resident_id(digits: str) -> bool:
    if len(digits) == 18 and digits[:17].isdigit():
        total = sum(int(d) * w for d, w in zip(digits[:17], _ID18_WEIGHTS, strict=True))
        born = _is_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
        return born and int(digits[6:10]) >= 1850 and _ID18_CHECK[total % 11] == digits[17].upper()
    if len(digits) == 15 and digits.isdigit():
        return _is_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def subject_ref_personal_kind(ref: str) -> str | None:
    """``"mobile_number"`` or ``"resident_id_number"`` if ``ref`` looks like one, else None."""
    if sum(c.isdigit() for c in ref) < 11:
        return None  # the common case, decided without a regular expression
    for candidate in (_SEPARATORS.sub("", ref), *_SEPARATORS.split(ref)):
        match = _CANDIDATE.fullmatch(candidate)
        if match is None:
            continue
        digits = match.group(1)
        if _MOBILE.fullmatch(digits):
            return MOBILE
        if _is_resident_id(digits):
            return RESIDENT_ID
    return None
