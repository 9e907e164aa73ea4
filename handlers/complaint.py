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


def _italian_on(ctx: HandlerContext) -> str:
    """" sul bus 64", " sulla metro A e sul tram 8": each line with its own preposition."""
    parts = []
    for route_id in ctx.decision.routes:
        route = ctx.knowledge.gtfs.route(route_id)
        label = ctx.knowledge.route_label(route_id, "it")
        feminine = route is not None and route.kind in ("metro", "line")
        if route is not None and route.kind == "line":
            label = f"linea {route.display_name}"
        parts.append(("sulla " if feminine else "sul ") + label)
    return (" " + join_names(parts, "it")) if parts else ""


def write(ctx: HandlerContext) -> str:
    """An apology, the case number, and the alert that explains the problem if there is one."""
    lang = ctx.lang
    kn = ctx.knowledge
    category = str(ctx.decision.category) if ctx.decision.category else ""
    explained = ""
    if ctx.decision.alert_ids:
        header, _ = kn.alert_text(ctx.decision.alert_ids[0], lang)
        explained = header
    if lang == "en":
        topic = _EN_TOPIC.get(category, "the problem")
        lines = join_names([kn.route_label(r, lang) for r in ctx.decision.routes], lang)
        on = f" on {lines}" if lines else ""
        logged = f"as case #{ctx.case_id} " if ctx.case_id else ""
        text = f"We are sorry about {topic}{on}. We have logged your report {logged}and passed it to the team in charge."
        if explained:
            text += f" Service information in force: {explained}."
        return text
    topic = _IT_TOPIC.get(category, "il disagio")
    logged = f" con il numero di pratica #{ctx.case_id}" if ctx.case_id else ""
    text = (
        f"Ci scusiamo per {topic}{_italian_on(ctx)}. Abbiamo registrato la segnalazione{logged} "
        "e l'abbiamo inoltrata all'ufficio competente."
    )
    if explained:
        text += f" Avviso in vigore: {explained}."
    return text
