"""Strict API input (core/serializers.py): unknown fields and values of the wrong JSON type
are refused, each named in the errors, where DRF's own fields would coerce them."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from core.serializers import (
    PAGE_PARAMS,
    Strict,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictFloatField,
    StrictIntegerField,
    StrictRegexField,
    StrictUUIDField,
)


class Inner(Strict):
    count = StrictIntegerField(required=False)


class Body(Strict):
    name = StrictCharField(required=False)
    code = StrictRegexField(r"^\d{6}$", required=False)
    kind = StrictChoiceField(["a", "b"], required=False)
    day = StrictDateField(required=False)
    ref = StrictUUIDField(required=False)
    latitude = StrictDecimalField(max_digits=9, decimal_places=6, required=False)
    count = StrictIntegerField(required=False)
    score = StrictFloatField(required=False)
    consent = StrictBooleanField(required=False)
    inner = Inner(required=False)


def errors_of(data: Any, serializer: type[Strict] = Body) -> Any:
    body = serializer(data=data)
    assert not body.is_valid()
    return body.errors


def test_an_unknown_field_is_refused_by_name_even_when_nested():
    assert set(errors_of({"name": "x", "surprise": 1, "other": 2})) == {"surprise", "other"}
    assert set(errors_of({"inner": {"count": 1, "surprise": 1}})["inner"]) == {"surprise"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 31),
        ("name", 3.5),
        ("name", True),
        ("code", 330106),
        ("kind", 1),
        ("day", 20260301),
        ("ref", 5),
        ("latitude", 26.38),
        ("count", "31"),
        ("count", True),
        ("count", 3.5),
        ("score", "0.5"),
        ("score", True),
        ("consent", "true"),
        ("consent", 1),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(field, value):
    assert set(errors_of({field: value})) == {field}


def test_values_of_the_right_type_pass_as_before():
    body = Body(
        data={
            "name": "x",
            "code": "330106",
            "kind": "a",
            "day": "2026-03-01",
            "ref": "7d6f1c3a-5a47-4c33-9a3b-1f0d7c0b2f10",
            "latitude": "26.380000",
            "count": 31,
            "score": 1,
            "consent": False,
            "inner": {"count": 0},
        }
    )

    assert body.is_valid(), body.errors
    assert body.validated_data["score"] == 1.0
    assert body.validated_data["count"] == 31


class Filters(Strict):
    also_accepted = PAGE_PARAMS
    kind = StrictChoiceField(["a", "b"], required=False)


def test_a_query_string_is_strict_too_but_leaves_the_paginators_parameters_alone():
    assert Filters(data=QueryDict("kind=a&page=2&page_size=10")).is_valid()
    assert set(errors_of(QueryDict("kind=a&knid=b"), Filters)) == {"knid"}


@pytest.mark.django_db
def test_the_schema_tells_clients_that_unknown_fields_are_refused(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    for name in (
        "SessionLogSyncInputRequest",
        "AttendeesInputRequest",
        "TransferCheckCreateRequest",
    ):
        assert schemas[name]["additionalProperties"] is False, name
        assert "description" not in schemas[name], name
