"""Telegram replies in HTML parse mode: every string escaped, messages cut to 4096 characters."""

from __future__ import annotations

import html
import re

#: Telegram's limit, in UTF-16 code units of the text after entity parsing.
MAX_LENGTH = 4096


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP count 2)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """``text`` safe to send with parse_mode=HTML (citizen and feed strings are never markup)."""
    return html.escape(text, quote=False)


def split_message(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """Escaped chunks of ``text``, each within ``limit``, cut at paragraphs, lines, then words."""
    chunks: list[str] = []
    current = ""
    for piece in re.findall(r"\S+|\s+", text.strip()):
        candidate = current + piece
        if utf16_length(escape(candidate)) <= limit:
            current = candidate
            continue
        if current.strip():
            chunks.append(current)
        current = "" if piece.isspace() else piece
        while utf16_length(escape(current)) > limit:  # a single word longer than a message
            cut = _fitting_prefix(current, limit)
            chunks.append(current[:cut])
            current = current[cut:]
    if current.strip():
        chunks.append(current)
    return [escape(c.strip()) for c in chunks] or [""]


def _fitting_prefix(word: str, limit: int) -> int:
    size = 0
    for index, char in enumerate(word):
        size += utf16_length(escape(char))
        if size > limit:
            return max(index, 1)
    return len(word)
