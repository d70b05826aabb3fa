"""Schema post-processing: what every operation may answer besides its success.

Every error of the API is an RFC 9457 problem document (core/problems.py) with the
``application/problem+json`` media type, whatever the operation: a missing or wrong
credential, a refused field, an unknown id, a rate limit. The schema says so once per
operation as its ``default`` response, so that a client (and the schemathesis run in the
tests) knows the shape of every answer the API gives.
"""

from __future__ import annotations

from typing import Any

from .problems import CONTENT_TYPE

PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem document; see the type URI for what it means.",
    "properties": {
        "type": {"type": "string", "example": "/problems/validation-error"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "for validation-error: each refused field, by JSON pointer",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string", "example": "#/attendees/elderly"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["pointer", "detail", "code"],
            },
        },
    },
    "required": ["type", "title", "status"],
}


def problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a ``Problem`` component, and a ``default``
    response referring to it on every operation that has none."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    default = {
        "description": "A problem (RFC 9457): the request was refused or failed.",
        "content": {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", default)
    return result
