"""The reply writer: picks the intent's handler, then lets the policy choose the action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain import Action, Decision, DraftReply, Intent, is_watched
from bot.privacy.pii import without_echo
from handlers import complaint, elsewhere, emergency, faq, feedback, other, outage, status, unserved
from handlers.policy import acknowledge_action, choose_action
from handlers.sources import sources_used
from knowledge.domains.base import Source
from knowledge.outage_lookup import Finding

if TYPE_CHECKING:
    from knowledge.store import Knowledge


@dataclass(frozen=True)
class HandlerContext:
    """Everything a handler may draw on to write a reply."""

    decision: Decision
    text: str
    knowledge: Knowledge
    settings: Settings
    now: datetime
    case_id: int | None = None

    @property
    def lang(self) -> str:
        """The language the reply must be written in."""
        return self.decision.lang if self.decision.lang in ("it", "en") else "it"


Handler = Callable[[HandlerContext], str]

HANDLERS: dict[Intent, Handler] = {
    Intent.STATUS: status.write,
    Intent.FAQ: faq.write,
    Intent.COMPLAINT: complaint.write,
    Intent.EMERGENCY: emergency.write,
    Intent.FEEDBACK: feedback.write,
    Intent.OTHER: other.write,
}


class ReplyWriter:
    """Writes the reply a decision calls for and decides whether it may go out alone."""

    def __init__(self, knowledge: Knowledge, settings: Settings) -> None:
        self.knowledge = knowledge
        self.settings = settings

    def with_domain(self, decision: Decision, text: str, now: datetime | None = None) -> Decision:
        """The decision completed by the knowledge's domain: a complaint's category from the domain's own
        cues when the learned reader does not tell that domain's categories (transit's are learned); the
        place the message names (a service point, a street, an area, a municipality), as subjects, when the
        domain reads a gazetteer; and, given ``now``, the outages in force covering that place as the alerts
        it matched (so the problem log counts a report the operator already knew of)."""
        domain = self.knowledge.domain
        if decision.intent == Intent.COMPLAINT and not domain.learned_categories:
            decision = replace(decision, category=domain.category_of(text))
        gazetteer = self.knowledge.outages.gazetteer if domain.reads(Source.GAZETTEER) else None
        if gazetteer is not None and len(gazetteer):
            named = [s for s in gazetteer.subjects(text) if s not in decision.subjects]
            if named:
                decision = replace(decision, subjects=(*decision.subjects, *named))
        if now is not None and not decision.alert_ids:
            decision = self._known_outages(decision, text, now)
        return decision

    def _known_outages(self, decision: Decision, text: str, now: datetime) -> Decision:
        store = self.knowledge.outages
        if not store.configured or not outage.asks_about_outage(text, self.knowledge.domain):
            return decision
        found = store.lookup(text, now)
        if found.finding is not Finding.COVERED:
            return decision
        return replace(decision, alert_ids=tuple(o.id for o in found.outages))

    def draft(
        self, decision: Decision, text: str, *, now: datetime, case_id: int | None = None
    ) -> DraftReply:
        """The reply to a message, with the sources it drew on and the action the policy allows; a watched message
        (possible danger, :func:`~bot.domain.is_watched`) is never posted alone, whichever handler wrote it."""
        draft = self._draft(decision, text, now=now, case_id=case_id)
        if is_watched(decision) and draft.action == Action.AUTO:
            return replace(draft, action=Action.REVIEW)
        return draft

    def _draft(self, decision: Decision, text: str, *, now: datetime, case_id: int | None) -> DraftReply:
        if decision.intent != Intent.EMERGENCY and not self._unserved(decision):
            about_outage = outage.draft(decision, text, self.knowledge, self.settings, now)
            if about_outage is not None:
                return replace(about_outage, text=without_echo(about_outage.text, text))
        sources = sources_used(
            decision, self.knowledge, self.settings, now, service_counts=status.asks_service_counts(decision)
        )
        decision = replace(decision, sources=sources)
        context = HandlerContext(decision, text, self.knowledge, self.settings, now, case_id)
        handler = HANDLERS[decision.intent]
        about_elsewhere = decision.elsewhere is not None and decision.intent != Intent.EMERGENCY
        if about_elsewhere:  # another operator's network: never answered alone (the router's action says so)
            handler = elsewhere.write
        if self._unserved(decision):
            handler = unserved.write
        action = choose_action(decision, self.settings.policy)
        if (decision.intent == Intent.COMPLAINT and not self._unserved(decision) and not about_elsewhere
                and complaint.acknowledged(decision, text, self.knowledge.domain)):
            handler, action = complaint.acknowledgement, acknowledge_action(decision, self.settings.policy)
        reply = without_echo(handler(context), text)
        if self._unserved(decision) and action == Action.AUTO:
            action = Action.REVIEW
        return DraftReply(text=reply, lang=context.lang, action=action, sources=sources)

    def _unserved(self, decision: Decision) -> bool:
        """Written in a language the operator does not serve (and no danger: that has its own reply)."""
        written = decision.written_lang
        return bool(written) and written not in self.settings.operator.languages and decision.intent != Intent.EMERGENCY
