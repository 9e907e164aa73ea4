"""Complaints: acknowledge, give the case number, say what is known (the category named in the domain's words);
a report the service acknowledges alone (a leak in a known street) gets its words' acknowledgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import Decision
from bot.subjects import Subject, SubjectKind
from handlers.text import join_names

if TYPE_CHECKING:
    from handlers.base import HandlerContext
    from knowledge.domains.base import Domain

#: The subjects a report is recorded against as a place: a street, an address, an area, a service point.
PLACE_KINDS = frozenset(k for k in SubjectKind if k.is_area) | {SubjectKind.STREET, SubjectKind.ADDRESS,
                                                                 SubjectKind.SERVICE_POINT}


def reported_place(decision: Decision) -> Subject | None:
    """The first place (not a line or stop) the message names, as the gazetteer found it."""
    return next((s for s in decision.subjects if s.kind in PLACE_KINDS), None)


def acknowledged(decision: Decision, text: str, domain: Domain) -> bool:
    """Whether a complaint is a report the service acknowledges alone: of a category its words acknowledge, against
    a place the gazetteer knows, with no outage or alert cited and no word of anyone at risk."""
    return (domain.acknowledges(decision.category) and reported_place(decision) is not None
            and not decision.alert_ids and not domain.endangers(text))


def acknowledgement(ctx: HandlerContext) -> str:
    """The service's acknowledgement of a report against a place (see :func:`acknowledged`), in the reply's language."""
    place = reported_place(ctx.decision)
    texts = ctx.knowledge.domain.words.acknowledgements[str(ctx.decision.category)]
    lang = ctx.lang if ctx.lang in texts else "it"
    case = ""
    if ctx.case_id:
        case = f" as case #{ctx.case_id}" if lang == "en" else f" con il numero di pratica #{ctx.case_id}"
    operator = ctx.settings.operator
    return texts[lang].format(place=place.name if place else "", case=case,
                              phone=operator.breakdown_number or operator.customer_phone)


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
    topic = kn.domain.topic(category, lang)
    if lang == "en":
        lines = join_names([kn.route_label(r, lang) for r in ctx.decision.routes], lang)
        on = f" on {lines}" if lines else ""
        logged = f"as case #{ctx.case_id} " if ctx.case_id else ""
        text = f"We are sorry about {topic}{on}. We have logged your report {logged}and passed it to the team in charge."
        if explained:
            text += f" Service information in force: {explained}."
        return text
    logged = f" con il numero di pratica #{ctx.case_id}" if ctx.case_id else ""
    text = (
        f"Ci scusiamo per {topic}{_italian_on(ctx)}. Abbiamo registrato la segnalazione{logged} "
        "e l'abbiamo inoltrata all'ufficio competente."
    )
    if explained:
        text += f" Avviso in vigore: {explained}."
    return text
