"""The router: reads a message and decides language, intent, lines, stops, alerts, FAQ entry and action."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.reading.alert_choice import asks_about_network, choose_alerts, names_network
from bot.reading.confidence import AUTO_THRESHOLD, answer_confidence, choose_action
from bot.config import Settings
from bot.domain import Decision, Intent
from bot.reading.intents import read_intent
from bot.reading.language import language_scores
from bot.reading.timeframe import DEFAULT_TIMEZONE, timeframe
from knowledge.lines import find_routes
from knowledge.stops import find_stops
from knowledge.text import STOP_WORDS, normalise

if TYPE_CHECKING:
    from knowledge.store import Knowledge

_RAIL_WORDS = re.compile(r"\b(?:metro|metropolitana|stazione|station|underground|subway|linea [abc])\b")
# "quante corse del 64 sono saltate oggi?": the figure comes from the service data (handlers.status).
_SERVICE_COUNT = re.compile(
    r"\b(?:quante corse|quanti (?:bus|autobus|passaggi|treni)|how many (?:trips|runs|buses|journeys|services|trains)"
    r"|corse (?:saltate|soppresse|cancellate|perse)|(?:trips|runs|services) (?:were |have been |got )?"
    r"(?:cancelled|canceled|missed|dropped))\b"
)
# A service code that may be no GTFS route ("MA1", "MB2" shuttles): letters and digits, upper case.
_SERVICE_NAME = re.compile(r"\b(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{2,6}\b")
SERVICE_COUNT_REASON = "service count: trips run and missed today"
NETWORK_STATUS_REASON = "asks how the whole network runs: a status question, whatever the FAQ matched"
STRIKE_DATE_REASON = "asks about a strike on a day: a status question, whatever the FAQ matched"
_STRIKE = re.compile(r"\b(?:sciopero|scioperi|strike|strikes)\b")
_AHEAD = re.compile(r"\b(?:in vista|in arrivo|prossim[oaie]|upcoming|next|coming up|planned|previst[oaie])\b")
# "how do I report problems on the network?": a how-to question, not one about today's service.
_HOW_TO = re.compile(r"\b(?:come (?:faccio|si|posso)|how (?:do|can|should) (?:i|we|you)|how to|dove|where|a chi|who)\b")
_MIN_FAQ_WORDS = 2  # below this many content words a FAQ score means nothing ("64?")
STOP_WORDS_ANY = STOP_WORDS["it"] | STOP_WORDS["en"]


class Router:
    """Understands one message at a time against the network, the live alerts and the FAQ."""

    def __init__(self, knowledge: Knowledge, *, settings: Settings | None = None) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.timezone = settings.operator.timezone if settings else DEFAULT_TIMEZONE
        self.threshold = settings.policy.auto_min_confidence if settings else AUTO_THRESHOLD

    def route(self, text: str, *, now: datetime, channel: str | None = None) -> Decision:
        """The decision for one message, as of ``now``."""
        kn = self.knowledge
        norm = normalise(text)
        italian, english = language_scores(text, norm)
        lang = "en" if english > italian else "it"
        routes = find_routes(kn.gtfs, text)
        stops = find_stops(kn.gtfs, text, street=self._street_lines_only(routes, norm))
        has_subject = bool(routes or stops)

        words = [w for w in norm.split() if w not in STOP_WORDS_ANY and not w.isdigit()]
        ranked = kn.faq.rank(text, k=2, lang=lang) if len(words) >= _MIN_FAQ_WORDS else []
        faq = ranked[0] if ranked else None
        faq_score = faq.score if faq else 0.0
        faq_margin = faq_score - (ranked[1].score if len(ranked) > 1 else 0.0)

        reading = read_intent(
            text, faq_score=faq_score, has_subject=has_subject, has_route=bool(routes), norm=norm
        )
        if routes and reading.intent != Intent.EMERGENCY and _SERVICE_COUNT.search(norm):
            reading = replace(reading, intent=Intent.STATUS, category=None,
                              reasons=(*reading.reasons, SERVICE_COUNT_REASON))
        numbers = frozenset(
            route.short_name for route in (kn.gtfs.route(r) for r in routes) if route and route.short_name.isdigit()
        )
        when = timeframe(text, now, self.timezone, lines=numbers, norm=norm)
        if reading.intent == Intent.FAQ and reading.question and _HOW_TO.search(norm) is None:
            if not has_subject and asks_about_network(norm):
                reading = replace(reading, intent=Intent.STATUS, reasons=(*reading.reasons, NETWORK_STATUS_REASON))
            elif _STRIKE.search(norm) and (not when.is_now or _AHEAD.search(norm)):
                reading = replace(reading, intent=Intent.STATUS, reasons=(*reading.reasons, STRIKE_DATE_REASON))
        stop_ids = [stop_id for mention in stops for stop_id in mention.stop_ids]
        services = [name for name in _SERVICE_NAME.findall(text) if not find_routes(kn.gtfs, name)]
        choice = choose_alerts(
            kn.alerts, intent=reading.intent, norm=norm, now=now, when=when, routes=routes, stop_ids=stop_ids,
            services=services,
        )
        unmet = kn.faq.unmet_topics(text, faq.faq_id) if faq and reading.intent == Intent.FAQ else ()
        confidence = answer_confidence(
            reading,
            faq_score=faq_score,
            stop_scores=[m.score for m in stops],
            has_subject=has_subject,
            network=choice.network,
            topics=choice.topics,
            language_margin=abs(english - italian),
            faq_margin=faq_margin,
            has_route=bool(routes),
            has_stop=bool(stops),
            faq_unmet=bool(unmet),
            network_named=names_network(norm),
        )
        reasons = [*reading.reasons, *(f"caution: {c}" for c in reading.cautions)]
        reasons += choice.reasons
        if unmet:
            reasons.append(f"caution: the FAQ entry says nothing of {', '.join(t.lstrip('~') for t in unmet)}")
        if not when.is_now:
            reasons.append(f"time asked: {when.label}")
        return Decision(
            lang=lang,
            intent=reading.intent,
            routes=tuple(routes),
            stops=tuple(m.name for m in stops),
            stop_ids=tuple(m.stop_ids[0] for m in stops if m.stop_ids),
            faq_id=faq.faq_id if faq and reading.intent == Intent.FAQ else None,
            alert_ids=choice.alert_ids,
            category=reading.category,
            action=choose_action(reading.intent, confidence, self.threshold),
            confidence=confidence,
            reasons=tuple(reasons),
        )

    def _street_lines_only(self, routes: list[str], norm: str) -> bool:
        """Whether the message names only bus or tram lines and says nothing of the metro or a station."""
        if not routes or _RAIL_WORDS.search(norm):
            return False
        kinds = {route.kind for route in (self.knowledge.gtfs.route(r) for r in routes) if route}
        return bool(kinds) and kinds <= {"bus", "tram", "trolleybus"}

