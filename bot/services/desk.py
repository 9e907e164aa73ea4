"""The desk of a multi-service deployment: each message routed to its service, then decided by that service's
pipeline (its domain, FAQ and feeds); a message no service clearly claims is drafted for a person."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.config import Settings
from bot.domain import Action, Decision, DraftReply, Intent, utcnow
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.services.choice import SERVICE_EXTRA, UNDECIDED, ChoiceBasis, ServiceChoice, ServiceChooser
from handlers import ReplyWriter
from handlers.notices import EmergencyVoice
from knowledge.domains.base import Source
from knowledge.livefeed import LiveFeed
from knowledge.outage_feed import OutageFeed
from knowledge.store import Job, Knowledge
from storage.models import Message

@dataclass(frozen=True)
class Service:
    """One service of the desk: its name, how people call it, its knowledge and its pipeline."""

    name: str
    label: str
    knowledge: Knowledge
    pipeline: RoutingPipeline


class ServiceDesk:
    """Decides like :class:`RoutingPipeline`, first choosing each message's service.

    A message whose service is undecided is read by the first service's pipeline (so danger is seen and
    escalated as anywhere), then held for a person with a neutral draft: no FAQ answer, alert or category
    of a service it may not be for.
    """

    def __init__(
        self, services: Sequence[Service], chooser: ServiceChooser, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        if not services:
            msg = "a desk needs at least one service"
            raise ValueError(msg)
        self.services = {service.name: service for service in services}
        self.chooser = chooser
        self.clock = clock
        self.main = next((s for s in services if s.knowledge.domain.name == "transit"), services[0])

    # What the rest of the application asks of "the" pipeline: the main service's parts.
    @property
    def knowledge(self) -> Knowledge:
        """The main service's knowledge (transit's when there is one): commands, follows and reports use it."""
        return self.main.knowledge

    @property
    def router(self) -> Router:
        """The main service's router."""
        return self.main.pipeline.router

    @property
    def writer(self) -> ReplyWriter:
        """The main service's reply writer."""
        return self.main.pipeline.writer

    def voices(self) -> dict[str, EmergencyVoice]:
        """How each service answers an emergency at once: its domain's words and its own numbers, by name."""
        return {name: EmergencyVoice(s.knowledge.domain, s.pipeline.writer.settings.operator.emergency_number,
                                     s.pipeline.writer.settings.operator.breakdown_number)
                for name, s in self.services.items()}

    def labels(self) -> dict[str, str]:
        """Each service's name and label, in the configured order."""
        return {name: service.label for name, service in self.services.items()}

    def feeds(self) -> list[LiveFeed | OutageFeed]:
        """Every service's live feeds, for /health: the ones its domain reads, and its outage sources."""
        found: list[LiveFeed | OutageFeed] = []
        for service in self.services.values():
            kn = service.knowledge
            found += [feed for feed, source in ((kn.alert_feed, Source.ALERTS), (kn.trip_feed, Source.TRIP_UPDATES))
                      if kn.domain.reads(source)]
            found += kn.outages.feeds
        return found

    def status(self, now: datetime) -> dict[str, Any]:
        """Each service's knowledge status (its feeds' ages, its network's size), by name."""
        return {name: service.knowledge.status(now) for name, service in self.services.items()}

    def jobs(self) -> list[Job]:
        """Every service's feed jobs (their names carry the service's)."""
        return [job for service in self.services.values() for job in service.knowledge.jobs()]

    def decide_text(
        self, text: str, *, channel: str | None = None, case_id: int | None = None
    ) -> tuple[Decision, DraftReply]:
        """Decision and reply for a bare text."""
        choice = self.chooser.choose(text, channel)
        decided = self._pipeline(choice).decide_text(text, channel=channel, case_id=case_id)
        return self._with_service(choice, *decided)

    def decide(self, message: Message) -> tuple[Decision, DraftReply]:
        """Decision and reply for a stored message."""
        return self.decide_many([message])[0]

    def decide_many(self, messages: Sequence[Message]) -> list[tuple[Decision, DraftReply]]:
        """:meth:`decide` for a claimed batch, in order: one batch per service."""
        choices = [self._given(m) or choice for m, choice in zip(
            messages, self.chooser.choose_many([m.text for m in messages], [m.channel for m in messages]), strict=True)]
        out: list[tuple[Decision, DraftReply] | None] = [None] * len(messages)
        for name in {self._pipeline_name(c) for c in choices}:
            picked = [i for i, c in enumerate(choices) if self._pipeline_name(c) == name]
            read = self.services[name].pipeline.decide_many([messages[i] for i in picked])
            for i, (decision, draft) in zip(picked, read):
                out[i] = self._with_service(choices[i], decision, draft)
        return [found for found in out if found is not None]

    def _given(self, message: Message) -> ServiceChoice | None:
        """The service the message's intake named (a page opened for it), when it is one of this desk's several."""
        given = (message.extras or {}).get(SERVICE_EXTRA)
        if len(self.services) < 2 or not isinstance(given, str) or given not in self.services:
            return None
        return ServiceChoice(given, ChoiceBasis.PAGE)

    def _pipeline_name(self, choice: ServiceChoice) -> str:
        return choice.service if choice.service in self.services else self.main.name

    def _pipeline(self, choice: ServiceChoice) -> RoutingPipeline:
        return self.services[self._pipeline_name(choice)].pipeline

    def _with_service(
        self, choice: ServiceChoice, decision: Decision, draft: DraftReply
    ) -> tuple[Decision, DraftReply]:
        if choice.basis is ChoiceBasis.ONLY:
            return replace(decision, service=choice.service), draft
        reasons = (*decision.reasons, choice.reason())
        if choice.service is not None:
            return replace(decision, service=choice.service, reasons=reasons), draft
        decision = replace(decision, service=UNDECIDED, reasons=reasons)
        if decision.intent == Intent.EMERGENCY or draft.action == Action.ESCALATE:
            return decision, draft
        decision = replace(decision, faq_id=None, alert_ids=(), category=None, action=Action.REVIEW, confidence=0.0)
        text = self.main.knowledge.domain.undecided_reply(draft.lang)
        return decision, DraftReply(text=text, lang=draft.lang, action=Action.REVIEW, sources=())


def build_desk(
    settings: Settings, *, engine: Engine | None, clock: Callable[[], datetime] = utcnow
) -> ServiceDesk:
    """The desk ``settings.services`` describes; one service named after its domain when none is set."""
    configured = settings.services or {}
    services = []
    if not configured:
        knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
        services.append(_service(knowledge.domain.name, None, knowledge, settings, clock))
    for name, service in configured.items():
        knowledge = Knowledge.from_settings(
            service.knowledge, engine=engine, clock=clock, service=name, key=f"services.{name}.knowledge"
        )
        own = settings
        numbers = {key: value for key, value in (("customer_phone", service.customer_phone),
                                                  ("breakdown_number", service.breakdown_number)) if value}
        if numbers:  # the service's own numbers in its replies
            operator = settings.operator.model_copy(update=numbers)
            own = settings.model_copy(update={"operator": operator})
        services.append(_service(name, service.label, knowledge, own, clock))
    channels = {channel: name for name, service in configured.items() for channel in service.channels}
    chooser = ServiceChooser({s.name: s.knowledge for s in services}, channels=channels, settings=settings.desk)
    return ServiceDesk(services, chooser, clock=clock)


def _service(
    name: str, label: str | None, knowledge: Knowledge, settings: Settings, clock: Callable[[], datetime]
) -> Service:
    writer = ReplyWriter(knowledge, settings)
    pipeline = RoutingPipeline(Router(knowledge, settings=settings), writer, clock=clock)
    return Service(name, label or name, knowledge, pipeline)
