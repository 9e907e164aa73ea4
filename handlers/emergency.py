"""Emergencies: the agent's follow-up draft (the safety reply itself went out at once, see handlers.notices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """A person's follow-up: the emergency number again, the operations room is on it, what else is needed."""
    number = ctx.settings.operator.emergency_number
    where = ctx.knowledge.domain.where(ctx.lang)  # "line, stop or station" for transit; the domain's words
    if ctx.lang == "en":
        return (
            f"This is our care team. If anyone is still in danger, call {number} now. Our operations "
            f"room has your message: is anyone hurt, and where exactly are you ({where})?"
        )
    return (
        f"Ti scrive il servizio clienti. Se qualcuno è ancora in pericolo chiama subito il {number}. "
        "La centrale operativa ha il tuo messaggio: c'è qualcuno ferito, e dove siete di preciso "
        f"({where})?"
    )
