"""Which service alerts a reply must draw on: in force at the time asked, for the lines and stops asked.

The rules (``shared/eval/README.md``): an alert counts when it is in force at the time the message
asks about and informs a route or stop the message is about (GTFS-RT selector semantics, in
``knowledge.alerts.AlertIndex``); a question about the whole network gets every alert in force with a
network-wide selector; the alert that answers the question asked (a strike question and the strike
alert) counts even when it is not yet in force; an expired alert never counts.
The words it chooses by (a topic's, an alert header's, the network's, a mode's, a match's) are data, in
``alertwords.yaml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.domain import Intent
from bot.reading.rules import Rule, RuleSet
from bot.reading.timeframe import Timeframe
from knowledge.alerts import Alert, AlertIndex
from knowledge.gtfs import GtfsIndex


@dataclass(frozen=True)
class Topic:
    """A kind of disruption a question can be about, and how to recognise the alert that answers it."""

    name: str
    asked: re.Pattern[str]
    causes: frozenset[str] = frozenset()
    effects: frozenset[str] = frozenset()
    header: re.Pattern[str] | None = None
    before_start: bool = False  # the alert answers the question even before it comes into force
    asked_as_sent: re.Pattern[str] | None = None  # words of scripts normalising drops, in the lower-cased message
    now_only: bool = False  # only an alert in force now answers it ("when will it be back to normal?")

    def answers(self, alert: Alert, now: datetime) -> bool:
        """Whether ``alert`` is about this kind of disruption (as of ``now``)."""
        if self.now_only and alert.state(now) != "active":
            return False
        if alert.cause in self.causes or alert.effect in self.effects:
            return True
        if self.header is None:
            return False
        text = " ".join(alert.header.values()).lower()
        return self.header.search(text) is not None


ALERT_WORDS_FILE = Path(__file__).resolve().parent / "alertwords.yaml"


@dataclass(frozen=True)
class AlertWords(RuleSet):
    """The rules of ``alertwords.yaml``, read once: each topic's words (and its alert header's), then the rest."""

    strike: Rule
    strike_as_sent: Rule
    detour: Rule
    frequency: Rule
    frequency_header: Rule
    closure: Rule
    closure_header: Rule
    replacement: Rule
    replacement_header: Rule
    lift: Rule
    delay: Rule
    recovery: Rule
    recovery_header: Rule
    network: Rule
    general: Rule
    metro: Rule
    tram: Rule
    buses: Rule
    match: Rule
    match_header: Rule
    closed: Rule
    past: Rule
    today: Rule
    unlisted: Rule

    @classmethod
    def load(cls, path: Path = ALERT_WORDS_FILE) -> AlertWords:
        """The rules stored in ``path``; a missing or broken rule is an error naming it."""
        return cls.read(path)


WORDS = AlertWords.load()
TOPICS: tuple[Topic, ...] = (
    Topic("strike", WORDS.strike.pattern, causes=frozenset({"STRIKE"}), before_start=True,
          asked_as_sent=WORDS.strike_as_sent.pattern),
    Topic("detour", WORDS.detour.pattern, effects=frozenset({"DETOUR"})),
    Topic("frequency", WORDS.frequency.pattern, effects=frozenset({"REDUCED_SERVICE"}),
          header=WORDS.frequency_header.pattern),
    Topic("closure", WORDS.closure.pattern, header=WORDS.closure_header.pattern),
    Topic("replacement", WORDS.replacement.pattern, effects=frozenset({"MODIFIED_SERVICE"}),
          header=WORDS.replacement_header.pattern),
    Topic("lift", WORDS.lift.pattern, effects=frozenset({"ACCESSIBILITY_ISSUE"})),
    Topic("delay", WORDS.delay.pattern, effects=frozenset({"SIGNIFICANT_DELAYS"})),
    Topic("recovery", WORDS.recovery.pattern, header=WORDS.recovery_header.pattern, now_only=True),
)
_SERVICE_TOPICS = frozenset({"strike", "closure", "delay", "replacement"})  # unambiguous words of service
_NETWORK_TOPICS = frozenset({"strike"})  # topics whose alerts concern the network, whatever is named
# Thanks naming these («grazie per l'ennesimo ritardo del 64») thank for nothing: the alert of that kind is cited
_COMPLAINED_TOPICS = frozenset({"delay"})
# A mode of the network named with no line ("la metro", "are the trams running?") asks about that mode's
# lines, by GTFS route_type; a bus named beside it leaves the question about the whole network.
_MODES: tuple[tuple[Rule, int], ...] = ((WORDS.metro, 1), (WORDS.tram, 0))
# The metro lines a station's GTFS name tags: "SPAGNA (MA)", "TERMINI (MA-MB-FS)".
_STATION_TAG = re.compile(r"\(([A-Z0-9-]+)\)\s*$")


@dataclass(frozen=True)
class AlertChoice:
    """The alerts chosen and how they were chosen."""

    alert_ids: tuple[str, ...]
    topics: tuple[str, ...]
    network: bool
    reasons: tuple[str, ...]
    #: an alert in force informs a line or stop named, cited or not (thanks for the 64 while it runs late): a fact of
    #: the confidence, as it was before thanks and general questions stopped citing such alerts
    lines_alerted: bool = False


def _describing(
    index: AlertIndex, services: Sequence[str], start: datetime, end: datetime | None
) -> list[tuple[Alert, str]]:
    """The alerts in force whose texts name one of ``services`` (a shuttle that is no GTFS route)."""
    found = []
    for name in services:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
        for alert in index.alerts:
            texts = (*alert.header.values(), *alert.description.values())
            if alert.in_force(start, end) and any(pattern.search(text) for text in texts):
                found.append((alert, name))
    return found


def _begins_after(alert: Alert, end: datetime | None) -> bool:
    """Whether every active period of ``alert`` begins at or after ``end`` (never, when no time is named)."""
    if end is None or not alert.periods:
        return False
    return all(p.start is not None and p.start >= end for p in alert.periods)


def asks_about_network(norm: str) -> bool:
    """A question about the network as a whole and how it runs ("any problems on the network this weekend?")."""
    if not names_network(norm):
        return False
    return WORDS.general.search(norm) is not None or any(t.name in _SERVICE_TOPICS for t in topics_asked(norm))


def names_network(norm: str) -> bool:
    """Whether a normalised message names the whole network ("la rete", "all lines", "i mezzi")."""
    return WORDS.network.search(norm) is not None


def mode_routes(index: AlertIndex, norm: str) -> list[str]:
    """The lines of the modes a normalised message names with no line ("la metro"), [] when none or buses too."""
    types = {route_type for named, route_type in _MODES if named.search(norm)}
    if not types or index.gtfs is None or WORDS.buses.search(norm):
        return []
    return [route.route_id for route in index.gtfs.routes.values() if route.route_type in types]


def station_lines(index: AlertIndex, stop_ids: Sequence[str]) -> list[str]:
    """The metro routes the names of these stops tag ("SPAGNA (MA)": metro A), sorted."""
    if index.gtfs is None:
        return []
    stations = metro_stations(index.gtfs)
    return sorted({route_id for stop_id in stop_ids for route_id in stations.get(stop_id, ())})


@functools.lru_cache(maxsize=1)
def metro_stations(gtfs: GtfsIndex) -> dict[str, tuple[str, ...]]:
    """Each stop whose name tags metro lines, and their routes ("TERMINI (MA-MB-FS)": metro A and B).

    Built once per network: the cache is keyed on the GTFS object (a refreshed GTFS is a new one).
    """
    metro = {f"M{route.display_name.upper()}": route.route_id
             for route in gtfs.routes.values() if route.kind == "metro"}
    stations: dict[str, tuple[str, ...]] = {}
    for stop in gtfs.stops.values():
        tag = _STATION_TAG.search(stop.name)
        if tag is not None:
            lines = tuple(metro[code] for code in tag.group(1).split("-") if code in metro)
            if lines:
                stations[stop.stop_id] = lines
    return stations


def topics_asked(norm: str, text: str = "") -> list[Topic]:
    """The kinds of disruption a normalised message asks about (``text``: the message as sent, if known)."""
    lowered = "" if text.isascii() else text.lower()
    return [t for t in TOPICS if t.asked.search(norm)
            or (lowered and t.asked_as_sent is not None and t.asked_as_sent.search(lowered))]


def choose_alerts(
    index: AlertIndex,
    *,
    intent: Intent,
    norm: str,
    now: datetime,
    when: Timeframe,
    routes: Sequence[str],
    stop_ids: Sequence[str],
    services: Sequence[str] = (),
    text: str = "",
) -> AlertChoice:
    """The alerts a correct reply to this message draws on, in feed order.

    ``services``: names of services the message asks about that are no GTFS route (a replacement
    shuttle "MA1"); an alert in force whose text names one describes that service. ``text``: the message
    as sent, for the words of scripts that normalising drops.
    """
    start, end = when.start, when.end
    reasons: list[str] = []
    if intent in (Intent.COMPLAINT, Intent.OTHER, Intent.EMERGENCY, Intent.FEEDBACK):
        if WORDS.past.search(norm) and intent != Intent.EMERGENCY:
            return AlertChoice((), (), False, ("a past experience: no alert in force then is cited",))
        start, end = now, None
    informing = index.applicable(start, routes, stop_ids, until=end) if routes or stop_ids else []
    lines_alerted = any(alert.state(now) != "expired" for alert in informing)
    if intent == Intent.FEEDBACK and not any(t.name in _COMPLAINED_TOPICS for t in topics_asked(norm, text)):
        # thanks and praise: the reply draws on no alert, whatever line they name
        return AlertChoice((), (), False, ("thanks or praise: the reply draws on no alert",), lines_alerted)
    chosen: dict[str, Alert] = {}
    if intent in (Intent.FAQ, Intent.FEEDBACK):  # a general question (or thanks for a delay) about a line draws
        # only on the alerts of the kind it names
        asked = topics_asked(norm, text)
        for alert in informing:
            if any(t.answers(alert, now) for t in asked):
                chosen[alert.id] = alert
                reasons.append(f"{alert.id} answers the general question asked")
    else:
        for alert in informing:
            chosen[alert.id] = alert
    # A stop asked about in a status question is served by the operator: an alert naming the whole agency (a strike)
    # in force at the time asked informs it too («is Termini open on the 5th?»).
    if intent == Intent.STATUS and stop_ids and not routes:
        for alert in index.alerts:
            if any(s.agency_id is not None and s.route_id is None and s.stop_id is None and s.trip_id is None
                   for s in alert.informed) and alert.in_force(start, end):
                chosen[alert.id] = alert
                reasons.append(f"{alert.id} informs the whole operator, the stop asked about with it")
    asks = intent in (Intent.STATUS, Intent.FAQ)
    topics = topics_asked(norm, text) if intent == Intent.STATUS else []
    described = _describing(index, services, start, end) if intent == Intent.STATUS else []
    for alert, name in described:
        chosen[alert.id] = alert
        reasons.append(f"{alert.id} describes {name}")
    # A strike question stays about the strike, whatever mode it names, unless it also asks whether the mode is open
    # or closed today («strike today? is the metro closed?»: the metro's alerts today too).
    modes: list[str] = []
    striking = (any(t.name in _NETWORK_TOPICS for t in topics)
                and not (WORDS.today.search(norm) and any(t.name == "closure" for t in topics)))
    if (intent == Intent.STATUS and not (routes or stop_ids or described) and WORDS.network.search(norm) is None
            and not striking):
        modes = mode_routes(index, norm)
        for alert in index.applicable(start, modes, until=end):
            chosen[alert.id] = alert
            reasons.append(f"{alert.id} concerns the mode named")
    subject = bool(routes or stop_ids or described or modes)
    # nothing of ours named but a service the feed does not list (the Lido railway, a boat): a question about it
    network = intent == Intent.STATUS and (
        (not subject and WORDS.unlisted.search(norm) is None) or WORDS.network.search(norm) is not None)
    # An alert of the kind asked about answers the question even out of force at the time asked («still closed on
    # Monday?»), but not one that only begins after that time (for a question about now, after today): before a
    # detour starts the line runs its usual route («Sunday at 10, the usual route?», the detour from 18:00). A strike
    # question is answered by the strike whenever.
    if topics and (routes or stop_ids):
        asked_until = when.until()  # a question about now: today (a Sunday detour does not answer it on Friday)
        for alert in index.matching(routes, stop_ids):
            if alert.state(now) != "expired" and any(
                    t.answers(alert, now) and (t.before_start or not _begins_after(alert, asked_until)) for t in topics):
                chosen[alert.id] = alert
                reasons.append(f"{alert.id} answers the question asked")
    # A station named alone and said or heard to be closed: the closures of the metro lines it serves answer
    # it, whether or not they name the station ("is Spagna open? heard stations are closed"). Asked only
    # whether it is open, it gets the alerts that name it, as any stop.
    closure = [t for t in topics if t.name == "closure"]
    if closure and stop_ids and not routes and WORDS.closed.search(norm):
        for alert in index.matching(station_lines(index, stop_ids)):
            if alert.in_force(start, end) and closure[0].answers(alert, now):
                chosen[alert.id] = alert
                reasons.append(f"{alert.id} answers whether the station is closed")
    # A match asked about: the alert on the match's detours answers it, whatever line is named; before the match
    # when no time is named, else only in force at the time asked (another day's match is another match).
    match = False  # the match's alert answers the question: it is not one about the whole network
    if intent == Intent.STATUS and WORDS.match.search(norm):
        for alert in index.alerts:
            if (WORDS.match_header.search(" ".join(alert.header.values()).lower()) and alert.state(now) != "expired"
                    and (when.is_now or alert.in_force(start, end))):
                chosen[alert.id] = alert
                match = True
                reasons.append(f"{alert.id} answers a question about the match")
    # A strike stops the whole network: the strike question cites it whatever line or stop is named.
    wide_topics = [t for t in topics if network or t.name in _NETWORK_TOPICS]
    if wide_topics:
        for alert in index.alerts:
            if not any(s.is_network_wide for s in alert.informed) or alert.state(now) == "expired":
                continue
            for topic in wide_topics:
                if topic.answers(alert, now) and (topic.before_start or alert.in_force(start, end)):
                    chosen[alert.id] = alert
                    reasons.append(f"{alert.id} answers a {topic.name} question")
    # The whole network asked about in general ("what's going on tomorrow? any closures?"): every
    # network-wide alert in force at the time asked, not only those of the kind named.
    if network and asks and ((not topics and not (match and not names_network(norm))) or WORDS.general.search(norm)):
        for alert in index.network(start, end):
            chosen[alert.id] = alert
        reasons.append("a question about the whole network")
    ids = tuple(a.id for a in index.alerts if a.id in chosen and a.state(now) != "expired")
    return AlertChoice(ids, tuple(t.name for t in topics), network, tuple(reasons), lines_alerted or bool(ids))
