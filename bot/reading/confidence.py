"""How sure the router is of a whole answer, and the action that follows (auto, review, escalate)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Action, Intent
from bot.reading.intents import IntentReading

AUTO_INTENTS: frozenset[Intent] = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})
AUTO_THRESHOLD = 0.8  # the same default as ``policy.auto_min_confidence``
_CAUTIOUS = 0.6  # the most a reading with cautions (venting, a personal case, ...) may be trusted
_FAQ_MARGIN = 0.2  # a FAQ answer whose runner-up scores within this of it is not posted alone
_PLAIN = 0.88  # a plain question about a named subject, or plain thanks, with nothing against it
_PLAIN_MARGIN = 1.0  # the least lead over the runner-up intent for a reading to count as plain
_CLOSE_MARGIN = 1.5  # below this lead, a knowledge-base answer is real contrary evidence for a status reading


def _base(reading: IntentReading) -> float:
    """Certainty from the intent's lead over the runner-up alone."""
    return min(1.0, 0.45 + reading.margin / 6.0)


def _plain_status(reading: IntentReading, *, subject: bool, faq_score: float, stop_scores: Sequence[float]) -> bool:
    """A status question about a named line, stop or the network, and nothing that reads otherwise."""
    if not (reading.question and subject and reading.margin >= _PLAIN_MARGIN):
        return False
    if faq_score >= 0.5 and reading.margin < _CLOSE_MARGIN:
        return False  # the knowledge base answers it about as well: two readings compete
    return all(score >= 0.7 for score in stop_scores)


def answer_confidence(
    reading: IntentReading,
    *,
    faq_score: float,
    stop_scores: Sequence[float],
    has_subject: bool,
    network: bool,
    topics: Sequence[str],
    language_margin: float,
    faq_margin: float = 1.0,
    has_route: bool = False,
    has_stop: bool = False,
    faq_unmet: bool = False,
    network_named: bool = False,
) -> float:
    """A score in [0, 1] that the intent, lines, FAQ entry and alerts are all right.

    Evidence, not a product of penalties: the intent's lead over the runner-up is the base; a plain
    status question naming a line, a stop or the whole network (``network_named``), or plain thanks,
    with no caution, is confident on its own; a FAQ answer is no surer than its calibrated match
    score. Only contrary evidence takes certainty away: cautions (venting, a personal case, a
    rhetorical question, a report told without asking), a FAQ entry that says nothing of the subject
    asked (``faq_unmet``) or a runner-up entry close to it, a FAQ reading about a line at a stop, a
    status question about nothing in particular, a weak stop match, a language told by a hair.
    """
    confidence = _base(reading)
    intent = reading.intent
    if intent == Intent.STATUS:
        subject = has_subject or network_named or bool(topics)
        if _plain_status(reading, subject=subject, faq_score=faq_score, stop_scores=stop_scores):
            confidence = max(confidence, _PLAIN)
        elif not (has_subject or network or topics):
            confidence *= 0.85
        elif faq_score >= 0.5:
            confidence *= 0.85  # the knowledge base answers it well too: two readings compete
    elif intent == Intent.FEEDBACK:
        if reading.question:
            confidence *= 0.8
        elif reading.margin >= _PLAIN_MARGIN:
            confidence = max(confidence, _PLAIN)
    elif intent == Intent.FAQ:
        confidence = min(confidence, 0.3 + faq_score)
    if any(score < 0.7 for score in stop_scores):
        confidence *= 0.9
    if language_margin < 0.5:
        confidence *= 0.9
    if reading.cautions and intent in (Intent.STATUS, Intent.FAQ, Intent.FEEDBACK):
        confidence = min(confidence, _CAUTIOUS)  # mixed evidence: a person looks first
    if intent == Intent.FAQ and has_route and has_stop:
        confidence = min(confidence, _CAUTIOUS)  # a line at a stop: a general answer may not fit the place
    if intent == Intent.FAQ and faq_unmet:
        confidence = min(confidence, _CAUTIOUS)  # the entry answers something else than the subject asked
    if intent == Intent.FAQ and faq_margin < _FAQ_MARGIN:
        confidence = min(confidence, _CAUTIOUS)  # two entries answer it about as well
    return round(max(0.0, min(1.0, confidence)), 3)


def choose_action(intent: Intent, confidence: float, threshold: float = AUTO_THRESHOLD) -> Action:
    """Escalate emergencies; post alone only the answerable intents the router is sure of."""
    if intent == Intent.EMERGENCY:
        return Action.ESCALATE
    if intent in AUTO_INTENTS and confidence >= threshold:
        return Action.AUTO
    return Action.REVIEW
