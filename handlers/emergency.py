"""Emergencies: tell the citizen to call the emergency number now; a person takes over."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """The emergency number first, then that staff have been alerted."""
    number = ctx.settings.operator.emergency_number
    if ctx.lang == "en":
        return (
            f"If anyone is in danger, call {number} now. If you can, alert the driver or "
            "station staff. We have passed your message to our operations team at once."
        )
    return (
        f"Se qualcuno è in pericolo chiama subito il {number}. Se puoi, avvisa il conducente "
        "o il personale di stazione. Abbiamo girato subito il tuo messaggio alla nostra centrale operativa."
    )
