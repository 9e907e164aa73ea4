"""A message about another operator's network (``Decision.elsewhere``): a short draft pointing to that operator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import ElsewhereKind

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """Polite and short: we answer for our own lines only, the other operator knows its service; a person checks it first."""
    elsewhere = ctx.decision.elsewhere
    assert elsewhere is not None
    name = elsewhere.name
    operator = ctx.settings.operator.name
    if ctx.lang == "en":
        about = {ElsewhereKind.PLACE: f"services in {name}", ElsewhereKind.LINE: f"the {name}"}.get(elsewhere.kind, name)
        return (f"Thanks for writing: we are {operator} and answer for our own lines and stops only, so we have no "
                f"news of {about}. Please ask that operator directly; for our lines, we are here.")
    # the preposition joins the article as Italian writes it: sui servizi, sulla linea, su @LNER
    about = {ElsewhereKind.PLACE: f"sui servizi di {name}", ElsewhereKind.LINE: f"sulla {name}"}.get(elsewhere.kind,
                                                                                                   f"su {name}")
    return (f"Grazie per averci scritto: siamo {operator} e rispondiamo solo per le nostre linee e fermate, quindi "
            f"non abbiamo notizie {about}. Ti invitiamo a chiedere direttamente a quell'operatore; per le nostre "
            f"linee siamo qui.")
