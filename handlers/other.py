"""Everything else goes to a person; the citizen is told so."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """A holding reply: a person will answer."""
    case = f" (pratica #{ctx.case_id})" if ctx.case_id and ctx.lang != "en" else ""
    if ctx.lang == "en":
        case = f" (case #{ctx.case_id})" if ctx.case_id else ""
        return f"Thanks for writing to us{case}: one of our operators will answer you as soon as possible."
    return f"Grazie per averci scritto{case}: un nostro operatore ti risponderà il prima possibile."
