"""JSON request bodies, parsed only when they are shallow enough to parse safely.

Python's JSON decoder recurses once per nesting level: about a thousand levels (2 KB of
``[``) exhaust the interpreter's stack and the request answers 500. Every API body is
therefore measured first, without recursion, and refused as malformed past
``API_JSON_MAX_DEPTH`` levels (no body of our contract needs more than four).
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Every byte but the six that open or close a container or a string: translate() deletes
# them in C, so the loop below only walks the structure, never the text.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"\\')
_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (JSON text, maybe invalid),
    ignoring brackets inside strings. Linear, no recursion."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in raw.translate(None, _NOT_STRUCTURE):
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def max_depth() -> int:
    return int(getattr(settings, "API_JSON_MAX_DEPTH", 16))


def json_too_deep(raw: bytes) -> bool:
    return json_depth(raw) > max_depth()


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser behind the depth check: a body nested past the limit is a 400
    ``malformed-request`` problem, as any other unparseable body."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        if json_too_deep(raw):
            raise ParseError(f"JSON parse error - nested deeper than {max_depth()} levels.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
