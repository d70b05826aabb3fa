"""Numbers and money read as people read them, in each interface language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import format_count, format_money


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_has_the_yuan_sign_grouping_and_two_decimals(language: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("5000")) == "¥5,000.00"
        assert format_money(Decimal("1234567.125")) == "¥1,234,567.13"
        assert format_money(0) == "¥0.00"


def test_money_never_reads_as_a_currency_code_for_yuan() -> None:
    with translation.override("zh-hans"):
        assert "CNY" not in format_money("15000", "CNY")
        assert format_money("15000", "USD") == "15,000.00 USD"


def test_counts_are_grouped_by_thousands() -> None:
    with translation.override("zh-hans"):
        assert format_count(27425) == "27,425"
        assert format_count(999) == "999"
        assert format_count(None) == ""


def test_template_filters() -> None:
    with translation.override("zh-hans"):
        rendered = Template("{% load formatting %}{{ n|count }} 人次 {{ x|money }}").render(
            Context({"n": 27425, "x": Decimal("15000")})
        )
    assert rendered == "27,425 人次 ¥15,000.00"
