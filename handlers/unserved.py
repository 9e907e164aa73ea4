"""A message in a language the operator does not serve: a short holding reply in English and Italian."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """Both languages, since the citizen reads neither for sure; a person answers after."""
    case_en = f" (case #{ctx.case_id})" if ctx.case_id else ""
    case_it = f" (pratica #{ctx.case_id})" if ctx.case_id else ""
    return (f"Thanks for writing to us{case_en}: one of our operators will answer you as soon as possible. "
            f"Grazie per averci scritto{case_it}: un nostro operatore ti risponderà il prima possibile.")
