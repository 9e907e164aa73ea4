"""Complaints: acknowledge, give the case number, say what is known."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.text import join_names

if TYPE_CHECKING:
    from handlers.base import HandlerContext

_IT_TOPIC = {
    "delay": "il ritardo",
    "crowding": "l'affollamento",
    "skipped_stop": "la fermata saltata",
    "cleanliness": "la pulizia",
    "climate": "la climatizzazione",
    "staff": "il comportamento del personale",
    "accessibility": "l'accessibilità",
    "safety": "la sicurezza",
    "ticketing": "il problema con i biglietti",
    "information": "le informazioni al pubblico",
}
_EN_TOPIC = {
    "delay": "the delay",
    "crowding": "the crowding",
    "skipped_stop": "the skipped stop",
    "cleanliness": "the cleanliness",
    "climate": "the heating or air conditioning",
    "staff": "the staff's behaviour",
    "accessibility": "the accessibility problem",
    "safety": "the safety problem",
    "ticketing": "the ticketing problem",
    "information": "the passenger information",
}


def write(ctx: HandlerContext) -> str:
    """An apology, the case number, and the alert that explains the problem if there is one."""
    lang = ctx.lang
    kn = ctx.knowledge
    category = str(ctx.decision.category) if ctx.decision.category else ""
    lines = join_names([kn.route_label(r, lang) for r in ctx.decision.routes], lang)
    case = f" #{ctx.case_id}" if ctx.case_id else ""
    explained = ""
    if ctx.decision.alert_ids:
        header, _ = kn.alert_text(ctx.decision.alert_ids[0], lang)
        explained = header
    if lang == "en":
        topic = _EN_TOPIC.get(category, "the problem")
        on = f" on {lines}" if lines else ""
        text = (
            f"We are sorry about {topic}{on}. We have logged your report as case{case} "
            "and passed it to the team in charge."
        )
        if explained:
            text += f" Service information in force: {explained}."
        return text
    topic = _IT_TOPIC.get(category, "il disagio")
    on = f" sulla linea {lines}" if lines and not lines.lower().startswith(("metro", "tram")) else (
        f" su {lines}" if lines else ""
    )
    text = (
        f"Ci scusiamo per {topic}{on}. Abbiamo registrato la segnalazione con la pratica{case} "
        "e l'abbiamo inoltrata all'ufficio competente."
    )
    if explained:
        text += f" Avviso in vigore: {explained}."
    return text
