"""Feedback: thanks, praise and greetings get a short, warm answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """A thank-you in the citizen's language, in the service's words ("Buon viaggio" only where people travel)."""
    return ctx.knowledge.domain.thanks(ctx.lang)
