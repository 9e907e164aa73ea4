"""How sure the router is of a whole answer, and the action that follows (auto, review, escalate)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Action, Intent
from bot.intents import IntentReading

AUTO_INTENTS: frozenset[Intent] = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})
AUTO_THRESHOLD = 0.8  # the same default as ``policy.auto_min_confidence``


def answer_confidence(
    reading: IntentReading,
    *,
    faq_score: float,
    stop_scores: Sequence[float],
    has_subject: bool,
    network: bool,
    topics: Sequence[str],
    language_margin: float,
) -> float:
    """A score in [0, 1] that the intent, lines, FAQ entry and alerts are all right.

    The intent's lead over the runner-up is the base; a FAQ answer is no surer than its calibrated
    match score; weak stop matches, a status question about nothing in particular and a language
    told by a hair each take some certainty away.
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
    return round(max(0.0, min(1.0, confidence)), 3)


def choose_action(intent: Intent, confidence: float, threshold: float = AUTO_THRESHOLD) -> Action:
    """Escalate emergencies; post alone only the answerable intents the router is sure of."""
    if intent == Intent.EMERGENCY:
        return Action.ESCALATE
    if intent in AUTO_INTENTS and confidence >= threshold:
        return Action.AUTO
    return Action.REVIEW
