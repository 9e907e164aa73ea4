"""What every channel does to incoming text before storing it: cut it at a limit, drop what no column holds."""

from __future__ import annotations


def storable_text(text: str) -> str:
    """``text`` without NUL characters (PostgreSQL refuses them) and with lone surrogates replaced."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def cut(text: str, limit: int) -> tuple[str, int | None]:
    """``text`` cut to ``limit`` characters and made storable, with its original length when it was cut."""
    too_long = len(text) if len(text) > limit else None
    return storable_text(text[:limit]), too_long
