"""FAQ answers: the knowledge base's answer in the citizen's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.base import HandlerContext


def write(ctx: HandlerContext) -> str:
    """The matched entry's answer; without one, a promise that a person will answer."""
    faq_id = ctx.decision.faq_id
    if faq_id:
        answer = ctx.knowledge.faq_answer(faq_id, ctx.lang)
        if answer:
            return answer
    if ctx.lang == "en":
        return "Thanks for your question: one of our operators will answer you shortly."
    return "Grazie per la domanda: un nostro operatore ti risponderà a breve."
