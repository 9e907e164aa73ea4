"""Reading untrusted input safely: JSON with a bounded depth, text that a database can store."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import BadInput

#: Nesting deeper than this is refused before the JSON parser sees it.
MAX_JSON_DEPTH = 32
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """The deepest nesting of arrays and objects in ``body``, counted up to ``limit + 1``."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def read_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse ``body`` as JSON; :class:`BadInput` when it is not JSON, not UTF-8 or nested too deep."""
    if json_depth(body, max_depth) > max_depth:
        msg = f"the JSON is nested more than {max_depth} levels deep"
        raise BadInput(msg)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        msg = "the body must be UTF-8 JSON"
        raise BadInput(msg) from exc


def storable(value: str, field: str) -> str:
    """``value`` unchanged when every database can store it; :class:`BadInput` naming ``field`` if not.

    NUL characters (refused by PostgreSQL) and lone surrogates (not encodable as UTF-8) are the
    two things a Python string may hold that a text column cannot.
    """
    if "\x00" in value:
        msg = f"{field}: NUL characters are not allowed"
        raise BadInput(msg)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"{field}: not valid Unicode text (a lone surrogate?)"
        raise BadInput(msg) from exc
    return value


def is_storable(value: str) -> bool:
    """Whether :func:`storable` would accept ``value``."""
    try:
        storable(value, "value")
    except BadInput:
        return False
    return True
