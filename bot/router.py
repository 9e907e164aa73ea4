"""The router: reads a message and decides language, intent, lines, stops, alerts, FAQ and action."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain import Action, Decision, Intent
from knowledge.text import normalise

if TYPE_CHECKING:
    from knowledge.store import Knowledge

_EN = {"the", "is", "are", "what", "how", "when", "where", "why", "my", "you", "your", "thanks", "bus", "ticket", "can", "i", "do", "does", "there", "today"}
_IT = {"il", "la", "lo", "le", "gli", "che", "di", "del", "della", "non", "è", "e", "per", "come", "quando", "dove", "oggi", "sono", "ho", "grazie", "biglietto", "ci", "si", "mi"}
_STATUS = ("ritardo", "sciopero", "chius", "funziona", "passa", "interrott", "delay", "strike", "closed", "running", "late")
_COMPLAINT = ("vergogna", "schifo", "maleducat", "sporc", "pien", "saltat", "disgust", "rude", "dirty", "crowded", "never came")
_EMERGENCY = ("aiuto", "malore", "incendio", "fuoco", "binari", "aggress", "help", "fire", "fainted", "attack", "tracks")
_FEEDBACK = ("grazie", "complimenti", "bravi", "thank", "great job", "buongiorno")


class Router:
    """A first, simple router; the understanding work replaces its rules with better ones."""

    def __init__(self, knowledge: Knowledge, *, settings: Settings | None = None) -> None:
        self.knowledge = knowledge
        self.settings = settings

    def route(self, text: str, *, now: datetime, channel: str | None = None) -> Decision:
        """The decision for one message."""
        norm = normalise(text)
        words = set(norm.split())
        lang = "en" if len(words & _EN) > len(words & _IT) else "it"
        faq = self.knowledge.faq.match(text, lang)
        if any(k in norm for k in _EMERGENCY):
            intent = Intent.EMERGENCY
        elif any(k in norm for k in _COMPLAINT):
            intent = Intent.COMPLAINT
        elif any(k in norm for k in _STATUS):
            intent = Intent.STATUS
        elif faq is not None:
            intent = Intent.FAQ
        elif any(k in norm for k in _FEEDBACK):
            intent = Intent.FEEDBACK
        else:
            intent = Intent.OTHER
        alerts = [a.id for a in self.knowledge.alerts.network(now)] if intent == Intent.STATUS else []
        action = Action.AUTO if intent in (Intent.FAQ, Intent.FEEDBACK, Intent.STATUS) else Action.REVIEW
        if intent == Intent.EMERGENCY:
            action = Action.ESCALATE
        return Decision(
            lang=lang,
            intent=intent,
            faq_id=faq.faq_id if faq and intent == Intent.FAQ else None,
            alert_ids=tuple(alerts),
            action=action,
            confidence=faq.score if faq and intent == Intent.FAQ else 0.85,
        )
