"""How sure the router is of a whole answer, and the action that follows (auto, review, escalate)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Action, Intent
from bot.intents import IntentReading

AUTO_INTENTS: frozenset[Intent] = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})
AUTO_THRESHOLD = 0.8  # the same default as ``policy.auto_min_confidence``
_CAUTIOUS = 0.6  # the most a reading with cautions (venting, a personal case, ...) may be trusted
_FAQ_MARGIN = 0.2  # a FAQ answer whose runner-up scores within this of it is not posted alone


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
) -> float:
    """A score in [0, 1] that the intent, lines, FAQ entry and alerts are all right.

    The intent's lead over the runner-up is the base; a FAQ answer is no surer than its calibrated
    match score (and no surer when a runner-up entry is close); venting, a personal case, a rhetorical
    question or a report told without asking keep it under the threshold, and so does a FAQ entry that
    says nothing of the subject asked about (``faq_unmet``); weak stop matches, a status question about
    nothing in particular and a language told by a hair each take some certainty away.
    """
    confidence = min(1.0, 0.45 + reading.margin / 6.0)
    if reading.intent == Intent.FAQ:
        confidence = min(confidence, 0.3 + faq_score)
    if reading.intent != Intent.FAQ and faq_score >= 0.5:
        confidence *= 0.85  # the knowledge base answers it well too: two readings compete
    if reading.intent == Intent.STATUS and not (has_subject or network or topics):
        confidence *= 0.85
    if reading.intent == Intent.FEEDBACK and reading.question:
        confidence *= 0.8
    if any(score < 0.8 for score in stop_scores):
        confidence *= 0.9
    if language_margin < 1.0:
        confidence *= 0.9
    if reading.cautions and reading.intent in (Intent.STATUS, Intent.FAQ):
        confidence = min(confidence, _CAUTIOUS)  # mixed evidence: a person looks first
    if reading.intent == Intent.FAQ and has_route and has_stop:
        confidence = min(confidence, _CAUTIOUS)  # a line at a stop: a general answer may not fit the place
    if reading.intent == Intent.FAQ and faq_unmet:
        confidence = min(confidence, _CAUTIOUS)  # the entry answers something else than the subject asked
    if reading.intent == Intent.FAQ and faq_margin < _FAQ_MARGIN:
        confidence = min(confidence, _CAUTIOUS)  # two entries answer it about as well
    return round(max(0.0, min(1.0, confidence)), 3)


def choose_action(intent: Intent, confidence: float, threshold: float = AUTO_THRESHOLD) -> Action:
    """Escalate emergencies; post alone only the answerable intents the router is sure of."""
    if intent == Intent.EMERGENCY:
        return Action.ESCALATE
    if intent in AUTO_INTENTS and confidence >= threshold:
        return Action.AUTO
    return Action.REVIEW
