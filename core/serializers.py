"""Strict API input: every API refuses what it does not know and values of the wrong type.

DRF is lenient by default: a serializer ignores fields it does not declare (a typo such as
``attendes`` is silently dropped), ``IntegerField`` takes ``"31"``, ``FloatField`` takes
``true`` and ``"0.5"``, ``BooleanField`` takes ``"yes"`` and ``1``, ``CharField`` takes
``31`` and ``UUIDField`` turns ``5`` into a UUID. Our contract (``/api/schema/``) promises
JSON types, so input serializers derive from :class:`Strict` and use the strict fields
below: a value must already have the JSON type the schema gives it. Query strings and
multipart forms carry only strings, so the string fields work there unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

# The paginator's own query parameters (core.pagination), which no filter serializer declares.
PAGE_PARAMS = frozenset({"page", "page_size"})


class Strict(serializers.Serializer[Any]):
    """A serializer that refuses fields it does not declare, each named in the errors (a
    validation problem with a pointer to it). ``also_accepted`` names parameters that
    something else reads (the paginator's ``page``)."""

    also_accepted: ClassVar[frozenset[str]] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields) - self.also_accepted)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class StrictSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """The schema says what :class:`Strict` does: ``additionalProperties: false``. A subclass
    without a docstring of its own is described by none (not by Strict's, a detail of ours)."""

    target_class = Strict
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        if not self.target.__class__.__dict__.get("__doc__"):
            schema.pop("description", None)
        return schema


class _StringOnly(serializers.Field[Any, Any, Any, Any]):
    """Refuse anything but a string before the field's own parsing (which would turn the
    number 31 into "31"). DRF gathers ``default_error_messages`` along the MRO."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "not_a_string": _("Not a valid string.")
    }

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictCharField(_StringOnly, serializers.CharField):
    pass


class StrictRegexField(_StringOnly, serializers.RegexField):
    pass


class StrictChoiceField(_StringOnly, serializers.ChoiceField):
    pass


class StrictDateField(_StringOnly, serializers.DateField):
    pass


class StrictUUIDField(_StringOnly, serializers.UUIDField):
    pass


class StrictDecimalField(_StringOnly, serializers.DecimalField):
    """A decimal given as a string ("26.380000"), as the schema describes it: a JSON number
    would pass through binary floating point on the way."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "not_a_string": _('Give the number as a decimal string such as "26.380000".')
    }


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not a string of digits, not a boolean, not a fraction."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class StrictIdField(StrictIntegerField):
    """A row id: a JSON integer from 1 to the largest a ``BigAutoField`` holds (a larger
    one would overflow the database driver, a server error instead of a 400)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class StrictFloatField(serializers.FloatField):
    """A JSON number: not a string of digits, not a boolean."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return float(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false``: not ``"yes"``, ``"1"`` or ``1``."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


__all__ = [
    "PAGE_PARAMS",
    "Strict",
    "StrictBooleanField",
    "StrictCharField",
    "StrictChoiceField",
    "StrictDateField",
    "StrictDecimalField",
    "StrictFloatField",
    "StrictIdField",
    "StrictIntegerField",
    "StrictRegexField",
    "StrictUUIDField",
]
