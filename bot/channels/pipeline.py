"""The routing pipeline plus what channels tell it: commands, unreadable media, an agent holding the conversation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.channels.commands import CommandDesk, parse_command
from bot.domain import Action, Decision, DraftReply, Intent, is_emergency, is_watched
from bot.follow.desk import FollowDesk
from bot.follow.places import PlaceFinder
from bot.follow.words import read_words
from bot.reading.rules import RULES
from knowledge.text import normalise
from knowledge.lines import RouteFinder
from bot.pipeline import RoutingPipeline
from bot.config import Settings
from storage.cases import held_by_agents
from storage.db import reading
from storage.models import Message

if TYPE_CHECKING:
    from handlers import ReplyWriter
    from knowledge.store import Knowledge

log = logging.getLogger(__name__)

_UNREADABLE_LABEL = {
    "photo": "a photo", "voice": "a voice message", "audio": "an audio file", "video": "a video",
    "video_note": "a video message", "sticker": "a sticker", "document": "a file", "animation": "a GIF",
    "location": "a location", "contact": "a contact", "poll": "a poll", "media": "an attachment",
}


class ChannelPipeline:
    """Decides like :class:`RoutingPipeline`, with three rules channels need.

    - a command (``extras["command"]``) is answered by the :class:`CommandDesk`, and so is a
      follow request in words ("avvisami per il 64"), unless the reader sees danger in it;
    - a message the bot cannot read (``extras["unreadable"]``), or text sent with an
      attachment it cannot see (``extras["media"]``), waits for a person;
    - a message cut at the channel's length limit (``extras["too_long"]``) is answered with a
      request to write shorter, unless it already escalates;
    - while an agent holds the conversation (replied less than ``cases.agent_hold_minutes``
      ago, or is working on one of its messages) the bot answers nothing alone; after
      that the conversation is handed back and routed as usual. Commands (``/stato``)
      are answered at any time, on every channel.
    """

    def __init__(
        self,
        inner: RoutingPipeline,
        desk: CommandDesk,
        engine: Engine,
        *,
        clock: Callable[[], datetime],
        hold_minutes: float = 30.0,
        claim_minutes: float = 15.0,
    ) -> None:
        self.inner = inner
        self.desk = desk
        self.engine = engine
        self.clock = clock
        self.hold_minutes = hold_minutes
        self.claim_minutes = claim_minutes
        self._routes = RouteFinder(desk.knowledge.gtfs)
        self._places = desk.follow.places if desk.follow is not None else None

    def decide_text(
        self, text: str, *, channel: str | None = None, case_id: int | None = None
    ) -> tuple[Decision, DraftReply]:
        """As :meth:`RoutingPipeline.decide_text`."""
        return self.inner.decide_text(text, channel=channel, case_id=case_id)

    def decide(self, message: Message) -> tuple[Decision, DraftReply]:
        """Decision and reply for a stored message, under the channel rules above."""
        return self.decide_many([message])[0]

    def decide_many(self, messages: Sequence[Message]) -> list[tuple[Decision, DraftReply]]:
        """:meth:`decide` for a claimed batch, in order: one reading of the texts to route and
        one look at which of their cases an agent holds."""
        out: list[tuple[Decision, DraftReply] | None] = [self._without_reading(m) for m in messages]
        routable = [i for i, found in enumerate(out) if found is None]
        if routable:
            read = self.inner.decide_many([messages[i] for i in routable])
            held = self.held_cases([messages[i].case_id for i in routable])
            for i, (decision, draft) in zip(routable, read):
                out[i] = self._after_reading(messages[i], decision, draft, held=messages[i].case_id in held)
        return [found for found in out if found is not None]

    def _without_reading(self, message: Message) -> tuple[Decision, DraftReply] | None:
        """The answer of a message the router does not read (unreadable, a command), else None."""
        extras = message.extras or {}
        lang = str(extras.get("lang") or "it")[:2]
        if extras.get("unreadable"):
            what = _UNREADABLE_LABEL.get(str(extras["unreadable"]), "content")
            return _to_person(Decision(lang="en" if lang == "en" else "it", intent=Intent.OTHER), f"cannot read {what}")
        command = extras.get("command")
        if not isinstance(command, dict):
            typed = parse_command(message.text, user_lang=extras.get("lang")) if message.text.startswith("/") else None
            command = typed.as_extras() if typed else None
        if command is not None:
            return self.desk.answer(command, message)
        return None

    def _after_reading(
        self, message: Message, decision: Decision, draft: DraftReply, *, held: bool
    ) -> tuple[Decision, DraftReply]:
        words = read_words(message.text, self._routes, self._places) if self.desk.follow is not None else None
        if words is not None and (not (is_emergency(decision) or is_watched(decision)) or _bare_request(message.text)):
            return self.desk.answer(words.as_extras(), message, service=decision.service)
        extras = message.extras or {}
        if extras.get("too_long") and draft.action != Action.ESCALATE:
            return _too_long(decision, int(extras["too_long"]))
        if extras.get("media"):
            decision, draft = _hold(decision, draft, f"sent with {_UNREADABLE_LABEL.get(str(extras['media']), 'an attachment')} the bot cannot see")
        if held:
            decision, draft = _hold(decision, draft, "an agent holds this conversation")
        return decision, draft

    def held_cases(self, case_ids: Sequence[int | None]) -> set[int]:
        """Of ``case_ids``, those an agent holds now (see :func:`storage.cases.agent_holds`)."""
        if not any(case_id is not None for case_id in case_ids):
            return set()
        with reading(self.engine).connect() as conn:
            return held_by_agents(
                conn, case_ids, self.clock(), hold_minutes=self.hold_minutes, claim_minutes=self.claim_minutes
            )


def _bare_request(text: str) -> bool:
    """Whether a follow request is nothing but the request and a place's name ("avvisami per via Cavour a
    Bari"): answered as a follow even when the reader reads danger in it (rule ``bare_follow``: a name word
    that may carry news, "c'è", "fumo", "non", keeps the reader's reading and its escalation)."""
    return RULES.bare_follow.search(normalise(text)) is not None


def _hold(decision: Decision, draft: DraftReply, reason: str) -> tuple[Decision, DraftReply]:
    """The same reply, kept for a person (an escalation stays an escalation)."""
    if draft.action != Action.AUTO:
        return replace(decision, reasons=(*decision.reasons, reason)), draft
    return (
        replace(decision, action=Action.REVIEW, reasons=(*decision.reasons, reason)),
        replace(draft, action=Action.REVIEW),
    )


#: What a citizen reads when their message was cut at the channel's limit (a danger sign still escalates).
_TOO_LONG = {
    "it": "Il tuo messaggio è troppo lungo ({chars} caratteri): ne abbiamo letto solo l'inizio. "
          "Scrivici in breve cosa ti serve, in uno o più messaggi più corti.",
    "en": "Your message is too long ({chars} characters): we only read its beginning. "
          "Please tell us briefly what you need, in one or more shorter messages.",
}


def _too_long(decision: Decision, chars: int) -> tuple[Decision, DraftReply]:
    lang = "en" if decision.lang == "en" else "it"
    told = replace(decision, action=Action.AUTO, reasons=(*decision.reasons, f"message of {chars} characters cut"))
    return told, DraftReply(text=_TOO_LONG[lang].format(chars=chars), lang=lang, action=Action.AUTO)


def _to_person(decision: Decision, reason: str) -> tuple[Decision, DraftReply]:
    held = replace(decision, action=Action.REVIEW, confidence=0.0, reasons=(reason,))
    return held, DraftReply(text="", lang=decision.lang, action=Action.REVIEW)


def channel_pipeline(
    inner: RoutingPipeline,
    knowledge: Knowledge,
    writer: ReplyWriter,
    settings: Settings,
    engine: Engine,
    clock: Callable[[], datetime],
) -> ChannelPipeline:
    """The pipeline ``sportello run`` gives its workers."""
    chooser = getattr(inner, "chooser", None)
    follow = FollowDesk(knowledge.gtfs, engine, settings.subscriptions, clock=clock, places=places_of(inner, knowledge),
                        channels=getattr(chooser, "channels", None))
    desk = CommandDesk(
        knowledge, writer, engine,
        operator=settings.operator.name, emergency_number=settings.operator.emergency_number, clock=clock,
        follow=follow,
    )
    return ChannelPipeline(
        inner, desk, engine, clock=clock,
        hold_minutes=settings.cases.agent_hold_minutes, claim_minutes=settings.console.claim_minutes,
    )


def places_of(inner: object, knowledge: Knowledge) -> PlaceFinder:
    """The places citizens may follow: every service's gazetteer on a desk of several, else the one knowledge's."""
    services = getattr(inner, "services", None)
    if isinstance(services, dict) and services:
        return PlaceFinder.of_services({name: (s.label, s.knowledge) for name, s in services.items()})
    return PlaceFinder.of_services({knowledge.domain.name: (knowledge.domain.name, knowledge)})
