"""Template filters for numbers and money: {% load formatting %} {{ n|count }} {{ x|money }}."""

from __future__ import annotations

from decimal import Decimal

from django import template

from core.formatting import format_count, format_money

register = template.Library()


@register.filter(name="count")
def count_filter(value: int | None) -> str:
    return format_count(value)


@register.filter(name="money")
def money_filter(value: Decimal | float | int | str | None, currency: str = "CNY") -> str:
    return format_money(value, currency)
