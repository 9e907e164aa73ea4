"""Emergencies: the agent's follow-up draft (the safety reply itself went out at once, see handlers.notices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """A person's follow-up: the emergency number again, the operations room is on it, what else is needed."""
    number = ctx.settings.operator.emergency_number
    if ctx.lang == "en":
        return (
            f"This is our care team. If anyone is still in danger, call {number} now. Our operations "
            "room has your message: is anyone hurt, and where exactly are you (line, stop or station)?"
        )
    return (
        f"Ti scrive il servizio clienti. Se qualcuno è ancora in pericolo chiama subito il {number}. "
        "La centrale operativa ha il tuo messaggio: c'è qualcuno ferito, e dove siete di preciso "
        "(linea, fermata o stazione)?"
    )
