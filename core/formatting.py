"""Numbers and money as people read them, in the page's language.

One place for the rule so that every page, export header and message agrees: "27,425 人次",
"¥15,000.00". Grouping uses the active locale's separators (Django's formats for the active
language, grouping forced whether or not USE_THOUSAND_SEPARATOR is on); the currency
pattern is a translatable string, so each locale places the symbol as its readers expect.
Hand-written rather than Babel: two patterns for one currency do not justify 30 MB of CLDR.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import pgettext

_CENT = Decimal("0.01")


def _group(value: Decimal | int, decimal_pos: int | None) -> str:
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimal_pos,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR") or ",",
        force_grouping=True,
    )


def format_count(value: int | None) -> str:
    """A whole number with grouping: 27425 → "27,425". None reads as an empty string."""
    if value is None:
        return ""
    return _group(int(value), None)


def format_money(amount: Decimal | float | int | str | None, currency: str = "CNY") -> str:
    """An amount of money as people read it: Decimal("5000") → "¥5,000.00".

    Rounded half up to the cent. Only CNY has a symbol here (the platform's only currency);
    any other code is shown after the number, which is never wrong, only less familiar.
    """
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(amount)
    number = _group(value, 2)
    if currency == "CNY":
        # Translators: an amount in Chinese yuan; keep the placeholder, place the symbol.
        return pgettext("money", "¥%(amount)s") % {"amount": number}
    return f"{number} {currency}"
