"""Who reads a reply besides the citizen: a public thread (an X mention, a Telegram group) or nobody."""

from __future__ import annotations

from typing import Any


def public_thread(channel: str, extras: dict[str, Any] | None) -> bool:
    """Whether a reply in this message's thread is seen by people other than the citizen."""
    extras = extras or {}
    if channel == "x":
        return extras.get("x_kind") != "dm"
    if channel == "telegram":
        return extras.get("chat_type", "private") != "private"
    return False
