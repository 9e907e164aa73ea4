"""Citizen commands (/start, /help, /linea, /fermata, /stato, /segui...): parsed by channels, answered by the desk."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.domain import Action, CaseStatus, Decision, DraftReply, Intent, as_utc
from bot.privacy.pii import redact
from knowledge.domains.base import Source
from storage.cases import PENDING_FOR_PERSON
from storage.models import Case, CaseTransition, Message, Transition

if TYPE_CHECKING:
    from bot.follow.desk import FollowDesk
    from handlers import ReplyWriter
    from knowledge.store import Knowledge

#: Command word -> (what it asks, the language it is written in; None = the user's language).
COMMANDS: dict[str, tuple[str, str | None]] = {
    "start": ("help", None),
    "help": ("help", "en"),
    "aiuto": ("help", "it"),
    "linea": ("line", "it"),
    "line": ("line", "en"),
    "fermata": ("stop", "it"),
    "stop": ("stop", "en"),
    "stato": ("case", "it"),
    "status": ("case", "en"),
    "segui": ("follow", "it"),
    "follow": ("follow", "en"),
    "seguite": ("following", "it"),
    "seguo": ("following", "it"),
    "following": ("following", "en"),
    "smetti": ("unfollow", "it"),
    "unfollow": ("unfollow", "en"),
}
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class CitizenCommand:
    """A command as typed: what it asks, its argument, the language to answer in."""

    name: str
    argument: str
    lang: str

    def as_extras(self) -> dict[str, str]:
        """The form stored in a message's extras."""
        return {"name": self.name, "argument": self.argument, "lang": self.lang}


def parse_command(text: str, *, bot_username: str | None = None, user_lang: str | None = None) -> CitizenCommand | None:
    """The command in ``text``, or None (unknown commands and other bots' commands are plain text)."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    word, addressee, argument = match.group(1).lower(), match.group(2), (match.group(3) or "").strip()
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    if word not in COMMANDS:
        return None
    name, lang = COMMANDS[word]
    if lang is None:
        lang = "en" if (user_lang or "").lower().startswith("en") else "it"
    return CitizenCommand(name, argument, lang)


_HELP = {
    "it": (
        "Ciao! Sono lo sportello di {operator}. Scrivimi la tua domanda o segnalazione, "
        "oppure usa:\n/linea 64 - lo stato di una linea\n/fermata 70340 - gli avvisi a una fermata\n"
        "/stato 123 - a che punto è la tua segnalazione\n/segui 64 - ricevi gli avvisi di una linea "
        "(/segui fermata 70340 per una fermata, /seguite per l'elenco, /smetti 64 per smettere)\n"
        "Per emergenze chiama il {emergency}."
    ),
    "en": (
        "Hello! This is {operator}'s help desk. Write your question or report, or use:\n"
        "/line 64 - status of a line\n/stop 70340 - alerts at a stop\n"
        "/status 123 - where your report stands\n/follow 64 - get a line's alerts "
        "(/follow stop 70340 for a stop, /following to list, /unfollow 64 to stop)\n"
        "In an emergency call {emergency}."
    ),
}
#: The same help on a desk without lines (a water or waste service): following a place.
_HELP_PLACES = {
    "it": (
        "Ciao! Sono lo sportello di {operator}. Scrivimi la tua domanda o segnalazione, oppure usa:\n"
        "/stato 123 - a che punto è la tua segnalazione\n/segui via Sparano a Bari - ricevi gli avvisi di "
        "disservizio di una via, un quartiere o un punto del servizio (/seguite per l'elenco, /smetti tutto per smettere)\n"
        "Per emergenze chiama il {emergency}."
    ),
    "en": (
        "Hello! This is {operator}'s help desk. Write your question or report, or use:\n"
        "/status 123 - where your report stands\n/follow via Sparano in Bari - get the outages of a street, a "
        "district or a service point (/following to list, /unfollow all to stop)\n"
        "In an emergency call {emergency}."
    ),
}
_ASK = {
    "line": {"it": "Quale linea? Scrivi ad esempio /linea 64", "en": "Which line? For example /line 64"},
    "stop": {"it": "Quale fermata? Scrivi il codice, ad esempio /fermata 70340", "en": "Which stop? Send its code, e.g. /stop 70340"},
    "case": {"it": "Quale segnalazione? Scrivi il numero, ad esempio /stato 123", "en": "Which report? Send its number, e.g. /status 123"},
}
_UNKNOWN = {
    "line": {"it": "Non trovo la linea «{arg}». Controlla il numero e riprova.", "en": "I cannot find line “{arg}”. Please check the number."},
    "stop": {"it": "Non trovo la fermata con codice «{arg}». Il codice è sul palo della fermata.", "en": "I cannot find a stop with code “{arg}”. The code is on the stop pole."},
    "case": {"it": "Non trovo la segnalazione n. {arg} tra le tue.", "en": "I cannot find report no. {arg} among yours."},
}
_CASE_STATE = {
    "it": {
        "open": "è aperta: la stiamo seguendo", "waiting": "è in attesa di un operatore",
        "answered": "ha ricevuto risposta", "resolved": "è risolta", "closed": "è chiusa",
    },
    "en": {
        "open": "is open: we are on it", "waiting": "is waiting for an operator",
        "answered": "has been answered", "resolved": "is resolved", "closed": "is closed",
    },
}


class CommandDesk:
    """Turns a stored command into a decision and a reply: static texts, the status handler, the case."""

    def __init__(
        self,
        knowledge: Knowledge,
        writer: ReplyWriter,
        engine: Engine,
        *,
        operator: str,
        emergency_number: str,
        clock: Callable[[], datetime],
        follow: FollowDesk | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.follow = follow
        self.writer = writer
        self.engine = engine
        self.operator = operator
        self.emergency_number = emergency_number
        self.clock = clock

    def answer(self, command: dict[str, Any], message: Message, *, service: str | None = None) -> tuple[Decision, DraftReply]:
        """The decision and reply for a command stored in ``message.extras`` (``service``: the one the message
        was read as for, on a desk of several)."""
        name, argument, lang = command["name"], command.get("argument", ""), command.get("lang", "it")
        if name in ("follow", "following", "unfollow"):
            if self.follow is not None:
                return self.follow.answer(command, message, service=service)
            name = "help"
        if name == "help":
            helps = _HELP if self.follow is None or self.follow.lines else _HELP_PLACES
            return self._fixed(lang, helps[lang].format(operator=self.operator, emergency=self.emergency_number), name)
        if name in ("line", "stop") and not self.knowledge.domain.reads(Source.GTFS):
            # A water or waste desk has no lines or stops: what it can do instead, in its domain's words.
            return self._fixed(lang, self.knowledge.domain.no_lines_reply(lang), name)
        if not argument:
            return self._fixed(lang, _ASK[name][lang], name)
        if name == "line":
            return self._line(argument, lang, message)
        if name == "stop":
            return self._stop(argument, lang, message)
        return self._case(argument, lang, message)

    def _fixed(self, lang: str, text: str, name: str) -> tuple[Decision, DraftReply]:
        decision = Decision(lang=lang, intent=Intent.OTHER, action=Action.AUTO, confidence=1.0, reasons=(f"command {name}",))
        return decision, DraftReply(text=text, lang=lang, action=Action.AUTO)

    def _status(self, decision: Decision, message: Message) -> tuple[Decision, DraftReply]:
        draft = self.writer.draft(decision, message.text, now=self.clock(), case_id=message.case_id)
        return replace(decision, action=draft.action), draft

    def _line(self, argument: str, lang: str, message: Message) -> tuple[Decision, DraftReply]:
        wanted = argument.split()[0].casefold()
        gtfs = self.knowledge.gtfs
        routes = tuple(
            r.route_id for r in gtfs.routes.values()
            if wanted in (r.route_id.casefold(), r.short_name.casefold(), r.display_name.casefold())
        )
        if not routes:
            return self._fixed(lang, _UNKNOWN["line"][lang].format(arg=redact(argument)), "line")
        alerts = self.knowledge.alerts.applicable(self.clock(), routes=routes)
        decision = Decision(
            lang=lang, intent=Intent.STATUS, routes=routes, alert_ids=tuple(a.id for a in alerts),
            action=Action.AUTO, confidence=1.0, reasons=("command line",),
        )
        return self._status(decision, message)

    def _stop(self, argument: str, lang: str, message: Message) -> tuple[Decision, DraftReply]:
        code = argument.split()[0]
        gtfs = self.knowledge.gtfs
        stop = gtfs.stop_by_code(code) or gtfs.stop(code)
        if stop is None:
            return self._fixed(lang, _UNKNOWN["stop"][lang].format(arg=redact(argument)), "stop")
        alerts = self.knowledge.alerts.applicable(self.clock(), stops=(stop.stop_id,))
        decision = Decision(
            lang=lang, intent=Intent.STATUS, stops=(stop.name,), stop_ids=(stop.stop_id,),
            alert_ids=tuple(a.id for a in alerts), action=Action.AUTO, confidence=1.0, reasons=("command stop",),
        )
        return self._status(decision, message)

    def _case(self, argument: str, lang: str, message: Message) -> tuple[Decision, DraftReply]:
        number = argument.lstrip("#").split()[0]
        state = self._case_state(int(number), message) if number.isdigit() else None
        if state is None:
            return self._fixed(lang, _UNKNOWN["case"][lang].format(arg=redact(argument)), "case")
        word = "Segnalazione" if lang == "it" else "Report"
        return self._fixed(lang, f"{word} n. {number}: {_CASE_STATE[lang][state]}.", "case")

    def _case_state(self, case_id: int, message: Message) -> str | None:
        """How a citizen's own case stands, before this very message; None when it is not theirs."""
        with Session(self.engine) as session:
            case = session.get(Case, case_id)
            if case is None or case.channel != message.channel or case.author != message.author:
                return None
            if case.status == str(CaseStatus.CLOSED) or self._reopened_by(session, case_id, message):
                return str(CaseStatus.CLOSED)
            states = set(session.execute(
                select(Message.state).where(Message.case_id == case_id, Message.id != message.id)
            ).scalars())
        if states & set(PENDING_FOR_PERSON):
            return str(CaseStatus.WAITING)
        if states & {"received", "routed"}:
            return str(CaseStatus.OPEN)
        if case.status == str(CaseStatus.RESOLVED) or states == {"closed"}:
            return str(CaseStatus.RESOLVED)
        if states & {"sent", "auto_sent"}:
            return str(CaseStatus.ANSWERED)
        return str(CaseStatus.OPEN)

    @staticmethod
    def _reopened_by(session: Session, case_id: int, message: Message) -> bool:
        """Whether ``message`` is what reopened a closed case (it asked about the case as it was)."""
        if message.case_id != case_id or message.id is None:
            return False
        reopened = session.execute(
            select(func.max(CaseTransition.at)).where(
                CaseTransition.case_id == case_id, CaseTransition.from_status == str(CaseStatus.CLOSED)
            )
        ).scalar_one_or_none()
        stored = session.execute(
            select(func.min(Transition.at)).where(Transition.message_id == message.id)
        ).scalar_one_or_none()
        return reopened is not None and stored is not None and as_utc(reopened) >= as_utc(stored)
