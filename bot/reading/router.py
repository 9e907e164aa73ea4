"""The reading pipeline: language → lines, stops, time → learned intent, danger, category → alerts, FAQ → confidence → decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from bot.config import Settings
from bot.domain import Action, Asked, DangerCause, Decision, Elsewhere, Held, Intent, Priority, TimeAsked
from bot.reading.alert_choice import AlertChoice, asks_about_network, choose_alerts, names_network
from bot.reading.elsewhere import ELSEWHERE
from bot.reading.faq_choice import fused_best, question_means, unit
from bot.reading.held import HELD
from bot.reading.features import Encoder
from bot.reading.language import UNDETERMINED, LanguageReading, read_language, written_in
from bot.reading.model import Reading, ReaderModel
from bot.reading.rules import RULES
from bot.reading.scripts import SCRIPTS
from bot.reading.sentences import read_with_sentences
from bot.reading.timeframe import DEFAULT_TIMEZONE, Timeframe, timeframe
from knowledge.domains.base import Source
from knowledge.faq import FaqIndex, FaqMatch
from knowledge.lines import find_routes
from knowledge.stops import StopMention, find_stops, is_metro_station
from knowledge.text import STOP_WORDS, normalise

if TYPE_CHECKING:
    from knowledge.store import Knowledge

SERVICE_COUNT_REASON = "service count: trips run and missed today"
NETWORK_STATUS_REASON = "asks how the whole network runs: a status question, whatever the FAQ matched"
STRIKE_DATE_REASON = "asks about a strike on a day: a status question, whatever the FAQ matched"
HELD_REASONS: dict[Held, str] = {
    Held.IRONY: "praise or thanks beside a service failure: likely sarcasm, a person reads it",
    Held.OUTSIDE_SERVICE: "the writer's own file, the operator as employer, or business with it: a person answers",
    Held.FAQ_OFF_SUBJECT: "the FAQ entry chosen does not cover all the message asks: a person answers",
}
WATCH_REASON = "possible danger: the danger score is in the watch band under the emergency lane's threshold"
SENTENCE_WATCH_REASON = "possible danger: one sentence, read alone, reads as danger"
AUTO_INTENTS: frozenset[Intent] = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})
_MIN_FAQ_WORDS = 2  # below this many content words a FAQ score means nothing ("64?")
_STOP_WORDS_ANY = STOP_WORDS["it"] | STOP_WORDS["en"]


@dataclass(frozen=True)
class Facts:
    """Everything the rule steps found, beside the learned reading: what the decision is built from."""

    lang: LanguageReading
    reading: Reading
    decision: Decision
    confidence_facts: dict[str, float]


@dataclass(frozen=True)
class _Found:
    """What the rule steps found for one message, before its confidence is calibrated (a batch's at once)."""

    text: str
    lang: LanguageReading
    reading: Reading
    intent: Intent
    reasons: list[str]
    asked: Asked | None
    routes: list[str]
    stops: list[StopMention]
    when: Timeframe
    faq: FaqMatch | None
    choice: AlertChoice
    unmet: tuple[str, ...]
    facts: dict[str, float]
    danger_cause: DangerCause | None = None
    elsewhere: Elsewhere | None = None
    held: Held | None = None

    @property
    def answerable(self) -> bool:
        """Whether a reply may be posted alone, confidence permitting (:func:`may_answer_alone`)."""
        return _answerable(self.intent, self.elsewhere, self.held)


def may_answer_alone(decision: Decision) -> bool:
    """Whether the router may post a decision's reply with no person looking, its confidence permitting: an intent
    answered alone, about our own network, kept for a person by no rule (:mod:`bot.reading.held`). The training calibration and the left-out decisions fit and choose
    the auto-reply threshold on these only, as the router answers these only."""
    return _answerable(decision.intent, decision.elsewhere, decision.held)


def _answerable(intent: Intent, elsewhere: Elsewhere | None, held: Held | None) -> bool:
    return intent in AUTO_INTENTS and elsewhere is None and held is None


class Router:
    """Reads one message at a time against the network, the live alerts, the FAQ and the learned model."""

    def __init__(
        self, knowledge: Knowledge, *, settings: Settings | None = None, model: ReaderModel | None = None
    ) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.timezone = settings.operator.timezone if settings else DEFAULT_TIMEZONE
        self.served = tuple(settings.operator.languages) if settings else ("it", "en")
        if settings is not None:
            Encoder.choose(settings.reader.encoder)
        if model is None:
            from bot.reading.retrain import model_in_service

            model = ReaderModel.cached(model_in_service(settings) if settings else None)
        if settings is not None and settings.reader.watch_band:
            model = model.with_held_out_watch_band()
        self.model = model
        #: a calm message with a sentence that reads as danger alone is watched (``reader.watch_sentences``)
        self.watch_sentences = settings is not None and settings.reader.watch_sentences
        self._faq_embedded: tuple[Sequence[object], np.ndarray, np.ndarray, list[str]] | None = None  # with entries
        self._faq_prototypes: tuple[Sequence[object], np.ndarray] | None = None  # the entries, their prototypes
        self._own_names: tuple[object, tuple[str, ...]] | None = None  # the network they were read from, the names

    def route(self, text: str, *, now: datetime, channel: str | None = None) -> Decision:
        """The decision for one message, as of ``now``."""
        return self.read(text, now=now).decision

    def route_many(
        self, texts: Sequence[str], *, now: datetime, channels: Sequence[str | None] | None = None
    ) -> list[Decision]:
        """The decisions for many messages, in order: what :meth:`route` gives each, with one model pass for all."""
        readings = self._read_many(texts)
        found = [self._find(text, now, reading) for text, reading in zip(texts, readings)]
        answerable = [f for f in found if f.answerable]
        confidences = dict(zip(map(id, answerable), self.model.confidence_many([f.facts for f in answerable])))
        return [self._decide(f, confidences.get(id(f), 0.0)).decision for f in found]

    def read(self, text: str, *, now: datetime, reading: Reading | None = None) -> Facts:
        """Every step's finding for one message; ``reading`` replaces the model's (held-out training runs)."""
        if reading is None:
            reading = self._read_many([text])[0]
        elif reading.language is None:  # the intent, danger and category given; the language still the model's
            read = self.model.read(text)
            reading = replace(reading, language=read.language, language_probability=read.language_probability)
        return self._read(text, now, reading)

    def _read_many(self, texts: Sequence[str]) -> list[Reading]:
        """The model's readings of ``texts``; with ``reader.watch_sentences``, each message's sentences are read in the
        same call, and a calm message with one that reads as danger alone is watched (:mod:`bot.reading.sentences`).
        Readings given from elsewhere (held-out training runs) are never read again."""
        if not self.watch_sentences:
            return self.model.read_many(list(texts))
        return [reading if found is None else replace(reading, watched=True, watch_sentence=found)
                for reading, found in read_with_sentences(self.model, texts)]

    def _read(self, text: str, now: datetime, reading: Reading) -> Facts:
        found = self._find(text, now, reading)
        return self._decide(found, self.model.confidence(found.facts) if found.answerable else 0.0)

    def _find(self, text: str, now: datetime, reading: Reading) -> _Found:
        """Every rule step's finding and the confidence facts: all of a decision but its confidence."""
        kn = self.knowledge
        norm = normalise(text)
        # 1. language: the reply's (Italian or English) and the one written in
        lang = read_language(text, norm, served=self.served,
                             identify=lambda: (reading.language or "", reading.language_probability))
        unread = SCRIPTS.unread_script(text)
        if unread is not None:  # a script the reader cannot read: whatever language it guessed, none we serve
            lang = written_in(lang.written if not lang.served else UNDETERMINED, self.served)
        # 2. lines, stops and the time asked about: rules, from the network's own names
        routes = find_routes(kn.gtfs, text)
        stops = find_stops(kn.gtfs, text, street=self._street_lines_only(routes, norm))
        numbers = frozenset(
            route.short_name for route in (kn.gtfs.route(r) for r in routes) if route and route.short_name.isdigit()
        )
        when = timeframe(text, now, self.timezone, lines=numbers, norm=norm)
        # 3. intent, danger and complaint category: learned
        intent, reasons = reading.intent, [f"learned reader {self.model.version}: {reading.intent} "
                                           f"p={reading.probabilities[reading.intent]:.2f}"]
        if reading.in_danger:
            reasons.append(f"danger to a person now (score {reading.danger:.2f})")
        elif reading.watch_sentence is not None:
            reasons.append(f"{SENTENCE_WATCH_REASON} (score {reading.watch_sentence.danger:.2f}, the message "
                           f"{reading.danger:.2f}): «{reading.watch_sentence.text}»: held for a person at once")
        elif reading.watched:
            reasons.append(f"{WATCH_REASON} (score {reading.danger:.2f}): held for a person at once")
        danger_cause = DangerCause.UNREAD_SCRIPT if unread is not None else None
        if unread is not None and intent != Intent.EMERGENCY:  # issue 9: when unsure, treat it as danger
            intent = Intent.EMERGENCY
            reasons.append(f"written mostly in {unread.lower()} script, which the reader cannot read: "
                           "treated as possible danger")
        # another city whose name is also one of our stops (a Milano, per Bologna): not our stop, another network
        away = self._other_city(text, norm, routes, stops) if intent != Intent.EMERGENCY else None
        if away is not None:
            stops = []
        # addressed to another operator's account, or set on a street of another country's town: the line it names is
        # that network's (@TfLBusAlerts is the 73 diverted?), so neither it nor any stop named is ours
        elif intent != Intent.EMERGENCY and (routes or stops) and kn.domain.reads(Source.GTFS):
            away = ELSEWHERE.addressed(text, norm, ours=self._our_names())
            if away is not None:
                routes, stops = [], []
        has_subject = bool(routes or stops)
        question = "?" in text
        asked: Asked | None = None
        if intent != Intent.EMERGENCY and routes and RULES.service_count.search(norm):
            intent = Intent.STATUS
            reasons.append(SERVICE_COUNT_REASON)
            asked = Asked.SERVICE_COUNTS
        if intent == Intent.FAQ and question and RULES.how_to.search(norm) is None:
            if not has_subject and asks_about_network(norm):
                intent = Intent.STATUS
                reasons.append(NETWORK_STATUS_REASON)
            elif RULES.strike.search(norm) and (not when.is_now or RULES.ahead.search(norm)):
                intent = Intent.STATUS
                reasons.append(STRIKE_DATE_REASON)
        # 4. the FAQ entry and the alerts that apply
        words = [w for w in norm.split() if w not in _STOP_WORDS_ANY and not w.isdigit()]
        wanted = intent == Intent.FAQ and len(words) >= _MIN_FAQ_WORDS  # only a FAQ reading needs an entry
        if wanted and self.model.faq_prototypes is not None and reading.embedding is not None:
            faq, faq_margin = self._learned_faq(text, reading.embedding, lang.reply)
            faq_score = faq.score
        else:
            ranked = kn.faq.rank(text, k=2, lang=lang.reply) if wanted else []
            faq = ranked[0] if ranked else None
            faq_score = faq.score if faq else 0.0
            faq_margin = faq_score - (ranked[1].score if len(ranked) > 1 else 0.0)
        stop_ids = [stop_id for mention in stops for stop_id in mention.stop_ids]
        services = [name for name in RULES.service_name.findall(text) if not find_routes(kn.gtfs, name)]
        # another transit operator's network, no line or stop of ours named: none of our alerts, a person answers
        elsewhere = away
        if elsewhere is None and intent != Intent.EMERGENCY and not has_subject and kn.domain.reads(Source.GTFS):
            elsewhere = ELSEWHERE.find(text, norm, ours=self._our_names())
        if elsewhere is not None:
            choice = AlertChoice((), (), False, (f"about another network ({elsewhere.kind}: {elsewhere.name}): "
                                                 "none of our alerts, a person answers",))
        else:
            choice = choose_alerts(
                kn.alerts, intent=intent, norm=norm, now=now, when=when, routes=routes, stop_ids=stop_ids,
                services=services, text=text,
            )
        unmet = kn.faq.unmet_topics(text, faq.faq_id) if faq and intent == Intent.FAQ else ()
        held = HELD.held(intent, norm) if intent in AUTO_INTENTS else None
        if held is None and unmet:  # posted alone, such answers were right 43 times in 48 (held out, 75 files)
            held = Held.FAQ_OFF_SUBJECT
        nearest, semantic = self._faq_meaning(reading, faq.faq_id) if faq and intent == Intent.FAQ else (None, 0.0)
        # 5. a confidence calibrated on messages the model did not train on
        probabilities = reading.probabilities
        ranked_p = sorted(probabilities.values(), reverse=True)
        facts = {
            "intent_probability": probabilities.get(intent, 0.0) if intent == reading.intent else 0.5,
            "intent_margin": ranked_p[0] - ranked_p[1],
            "faq_score": faq_score if intent == Intent.FAQ else 0.0,
            "faq_margin": faq_margin if intent == Intent.FAQ else 0.0,
            "named_route": float(bool(routes)),
            "named_stop": float(bool(stops)),
            "weakest_stop": min((m.score for m in stops), default=1.0),
            "asked": float(question),
            "status": float(intent == Intent.STATUS),
            "faq": float(intent == Intent.FAQ),
            "feedback": float(intent == Intent.FEEDBACK),
            "faq_off_subject": float(bool(unmet)),
            "alerts_cited": float(bool(choice.alert_ids) or choice.lines_alerted),
            "danger": reading.danger,
            "served_language": float(lang.served),
            "network": float(choice.network or names_network(norm)),
            "faq_agrees": float(nearest is not None and nearest == (faq.faq_id if faq else None)),
            "faq_semantic": semantic,
        }
        return _Found(text, lang, reading, intent, reasons, asked, routes, stops, when, faq, choice, unmet, facts,
                      danger_cause, elsewhere, held)

    def _decide(self, found: _Found, confidence: float) -> Facts:
        """The decision from the findings and the calibrated confidence (0 for an intent never answered alone)."""
        lang, reading, intent, reasons = found.lang, found.reading, found.intent, list(found.reasons)
        stops, faq, choice, unmet, when = found.stops, found.faq, found.choice, found.unmet, found.when
        # 6. the decision
        watched = reading.watched and intent != Intent.EMERGENCY
        if not lang.served:
            reasons.append(f"written in {lang.written}, a language the operator does not serve")
        if unmet:
            reasons.append(f"the FAQ entry says nothing of {', '.join(t.lstrip('~') for t in unmet)}")
        reasons += choice.reasons
        if found.held is not None:
            reasons.append(HELD_REASONS[found.held])
        if not when.is_now:
            reasons.append(f"time asked: {when.label}")
        decision = Decision(
            lang=lang.reply,
            intent=intent,
            routes=tuple(found.routes),
            stops=tuple(m.name for m in stops),
            stop_ids=tuple(m.stop_ids[0] for m in stops if m.stop_ids),
            faq_id=faq.faq_id if faq and intent == Intent.FAQ else None,
            alert_ids=choice.alert_ids,
            category=reading.category if intent == Intent.COMPLAINT else None,
            action=Action.REVIEW if watched or found.elsewhere or found.held
            else self._action(intent, confidence, lang),
            confidence=round(confidence, 3),
            reasons=tuple(reasons),
            written_lang=lang.written,
            asked=found.asked,
            danger_cause=found.danger_cause,
            priority=Priority.WATCH if watched else None,
            elsewhere=found.elsewhere,
            held=found.held,
            time_asked=None if when.end is None else TimeAsked(when.start, when.end, when.label),
        )
        return Facts(lang, reading, decision, found.facts)

    def _faq_meaning(self, reading: Reading, faq_id: str) -> tuple[str | None, float]:
        """The FAQ entry nearest in meaning to the message, and how near ``faq_id``'s closest question is."""
        if reading.embedding is None:
            return None, 0.0
        questions, owners, ids = self._faq_questions()
        if not len(ids):
            return None, 0.0
        nearest = np.full(len(ids), -1.0, dtype=np.float32)
        np.maximum.at(nearest, owners, questions @ reading.embedding)
        chosen = ids.index(faq_id) if faq_id in ids else -1
        return ids[int(np.argmax(nearest))], max(0.0, float(nearest[chosen])) if chosen >= 0 else 0.0

    def _learned_faq(self, text: str, embedding: np.ndarray, lang: str) -> tuple[FaqMatch, float]:
        """The entry of a FAQ reading by the lexical score and the model's prototypes (:mod:`bot.reading.faq_choice`),
        and its margin: its lexical score, and how far that is above every other entry's (0 when not above)."""
        faq = self.knowledge.faq
        entries = faq.entries
        lexical = [0.0] * len(entries)
        langs: dict[int, str] = {}
        if isinstance(faq, FaqIndex):  # the scores alone, no match built for each entry
            for e, score, text_lang in faq.entry_scores(text):
                lexical[e] = score
                langs[e] = lang or text_lang
        else:
            number = {entry.id: n for n, entry in enumerate(entries)}
            for match in faq.rank(text, k=len(entries), lang=lang):
                lexical[number[match.faq_id]] = match.score
                langs[number[match.faq_id]] = match.lang
        prototypes = self.model.faq_prototypes
        assert prototypes is not None
        best = fused_best(lexical, self._prototype_matrix() @ unit(embedding), prototypes.weight)
        others = lexical[:best] + lexical[best + 1:]
        margin = max(0.0, lexical[best] - (max(others) if others else 0.0))
        return FaqMatch(entries[best].id, lexical[best], langs.get(best, lang)), margin

    def _prototype_matrix(self) -> np.ndarray:
        """The model's FAQ prototypes for the entries loaded now (built on first use, again when the FAQ reloads)."""
        entries, prototypes = self.knowledge.faq.entries, self.model.faq_prototypes
        assert prototypes is not None
        cached = self._faq_prototypes
        if cached is None or (cached[0] is not entries and cached[0] != entries):  # first use, or the FAQ reloaded
            questions, owners, _ids = self._faq_questions()
            self._faq_prototypes = (entries, prototypes.matrix(entries, question_means(entries, questions, owners)))
        return self._faq_prototypes[1]

    def warm(self) -> None:
        """Build now what the first messages would otherwise build while a citizen waits: the FAQ questions'
        embeddings and the model's prototypes over them (a quarter of a second on the Rome FAQ), and the network's
        own names."""
        self._our_names()
        if self.model.faq_prototypes is not None:
            self._prototype_matrix()
        elif self.knowledge.faq.entries:
            self._faq_questions()

    def _faq_questions(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Every FAQ question embedded (on first use, and again when the FAQ reloads), the entry each belongs to,
        and the entry ids."""
        entries = self.knowledge.faq.entries
        cached = self._faq_embedded
        if cached is None or (cached[0] is not entries and cached[0] != entries):
            texts, owners, ids = [], [], []
            for number, entry in enumerate(entries):
                ids.append(entry.id)
                for questions in entry.questions.values():
                    texts += questions
                    owners += [number] * len(questions)
            self._faq_embedded = (entries, Encoder.encode(texts), np.array(owners, dtype=np.intp), ids)
        return self._faq_embedded[1:]

    def _action(self, intent: Intent, confidence: float, lang: LanguageReading) -> Action:
        """Escalate danger; post alone only an answerable intent, in a served language, above the threshold."""
        if intent == Intent.EMERGENCY:
            return Action.ESCALATE
        if intent in AUTO_INTENTS and lang.served and confidence >= self.model.auto_threshold:
            return Action.AUTO
        return Action.REVIEW

    def _our_names(self) -> tuple[str, ...]:
        """The operator's and the GTFS agencies' names, normalised: a message naming one is about our network.
        Read once per network (a refreshed GTFS is a new one)."""
        gtfs = self.knowledge.gtfs
        if self._own_names is None or self._own_names[0] is not gtfs:
            names = [agency.name for agency in gtfs.agencies.values()]
            if self.settings is not None:
                names.append(self.settings.operator.name)
            self._own_names = (gtfs, tuple(dict.fromkeys(n for n in map(normalise, names) if n)))
        return self._own_names[1]

    def _other_city(self, text: str, norm: str, routes: list[str], stops: list[StopMention]) -> Elsewhere | None:
        """Another city named as where a service is, when its name is the only stop of ours the message names and
        no line of ours is named (:meth:`ElsewhereRules.find_city`); ``still_ours`` looks for stops only, as a
        blanked name can make a line of what was not one (``metro a Venezia`` -> ``metro a``)."""
        gtfs = self.knowledge.gtfs
        if routes or not stops or not self.knowledge.domain.reads(Source.GTFS):
            return None
        return ELSEWHERE.find_city(
            text, norm, ours=self._our_names(),
            still_ours=lambda rest: bool(find_stops(gtfs, rest)),
            metro_station=any(is_metro_station(gtfs, mention.name) for mention in stops),
        )

    def _street_lines_only(self, routes: list[str], norm: str) -> bool:
        """Whether the message names only bus or tram lines and says nothing of the metro or a station."""
        if not routes or RULES.rail_words.search(norm):
            return False
        kinds = {route.kind for route in (self.knowledge.gtfs.route(r) for r in routes) if route}
        return bool(kinds) and kinds <= {"bus", "tram", "trolleybus"}
