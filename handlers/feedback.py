"""Feedback: thanks, praise and greetings get a short, warm answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """A thank-you in the citizen's language."""
    if ctx.lang == "en":
        return "Thank you for your message! We will pass it on to the team. Have a good trip."
    return "Grazie per il tuo messaggio! Lo giriamo volentieri al personale. Buon viaggio."
