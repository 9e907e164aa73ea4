"""Answers the follow commands (/segui, /seguite, /smetti and their English and web-chat forms), for lines and
stops and, on a desk with a gazetteer, for places (streets, districts, zones, municipalities, service points)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.config import SubscriptionSettings
from bot.domain import Action, Decision, DraftReply, Intent
from bot.follow.places import PlaceFinder, PlaceLook, is_place
from bot.services.choice import SERVICE_EXTRA, UNDECIDED
from bot.follow.targets import ALL_WORDS, STOP_WORDS, Resolution, TargetKind, argument, label, resolve
from bot.follow.texts import DESK, ONLY_PLACES, PLACE_DESK, how
from bot.privacy.pii import redact
from knowledge.gtfs import GtfsIndex
from storage.followers import Chat, FollowOutcome, follow, followed_by, unfollow
from storage.models import Message

#: The command names the follow desk answers (see ``bot.channels.commands.COMMANDS``).
FOLLOW_COMMANDS = frozenset({"follow", "following", "unfollow"})
#: Channels a person can follow on: alerts are pushed to a Telegram chat or shown in the web chat.
FOLLOW_CHANNELS = frozenset({"telegram", "web"})


def chat_of(message: Message) -> Chat | None:
    """Where a citizen's alerts go: their own Telegram chat (the user id), their web-chat conversation."""
    if message.channel == "telegram":
        return Chat("telegram", str(message.author))
    if message.channel == "web" and message.thread_id:
        return Chat("web", message.thread_id)
    return None


class FollowDesk:
    """Turns a follow command into a stored follow and a reply in the citizen's language."""

    def __init__(
        self, gtfs: GtfsIndex, engine: Engine, settings: SubscriptionSettings, *, clock: Callable[[], datetime],
        places: PlaceFinder | None = None, channels: Mapping[str, str] | None = None,
    ) -> None:
        """``channels``: the channels that are one service's (a water service's own Telegram bot), by name."""
        self.gtfs = gtfs
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.places = places or PlaceFinder()
        self.channels = dict(channels or {})
        #: Whether citizens here follow lines (a transit service); without, the examples and replies speak of places.
        self.lines = bool(gtfs.routes) or not self.places

    def _says(self, lang: str, key: str, *, place: bool = False) -> str:
        """A reply's words: the place wording on a desk without lines (or for a place), else the line wording."""
        if not self.lines and key in ONLY_PLACES[lang]:
            return ONLY_PLACES[lang][key]
        if (place or not self.lines) and key in PLACE_DESK[lang]:
            return PLACE_DESK[lang][key]
        return DESK[lang][key]

    def answer(self, command: dict[str, Any], message: Message, *, service: str | None = None) -> tuple[Decision, DraftReply]:
        """The decision and reply for a follow command stored in ``message.extras`` (or read from words);
        ``service``: the service the message was read as for, on a desk of several."""
        name, arg, lang = command["name"], str(command.get("argument", "")).strip(), command.get("lang", "it")
        lang = "en" if lang == "en" else "it"
        who = chat_of(message)
        if who is None or not self.settings.enabled:
            return _fixed(lang, self._says(lang, "channel"), name)
        forms = how(who.channel, lang, places=not self.lines)
        if name == "following":
            return _fixed(lang, self._listing(who, lang, forms), name)
        if name == "unfollow" and (not arg or arg.casefold() in ALL_WORDS):
            unfollow(self.engine, who)
            return _fixed(lang, self._says(lang, "removed_all", place=bool(self.places)), name)
        if not arg:
            return _fixed(lang, self._says(lang, "ask").format(example=forms["example"]), name)
        found = self._find(arg, self._service_of(message, service))
        if isinstance(found, PlaceLook):  # several services' places, named alike: the citizen chooses
            return _fixed(lang, self._tied(found, lang, forms), name)
        if isinstance(found, Resolution):
            if not self.lines or (self.places and not found.suggestions and len(arg.split()) > 1):
                text = PLACE_DESK[lang]["unknown_place"].format(arg=redact(arg), example=forms["example"])
                return _fixed(lang, text, name)
            return _fixed(lang, self._unknown(found.asked, found.wanted or arg, found.suggestions, lang), name)
        kind, key = found
        what, again = self._label(kind, key, lang), self._argument(kind, key, lang)
        if name == "unfollow":
            removed = unfollow(self.engine, who, kind, key)
            return _fixed(lang, DESK[lang]["removed" if removed else "not_followed"].format(what=what), name)
        outcome = follow(
            self.engine, who, kind, key, lang=lang, now=self.clock(), limit=self.settings.max_per_person,
            message_id=message.id,
        )
        text = self._says(lang, str(outcome), place=is_place(kind)).format(
            what=what, stop=forms["unfollow"].format(arg=again), limit=self.settings.max_per_person,
            stop_any=forms["stop_any"],
        )
        if outcome == FollowOutcome.ADDED and self.settings.quiet_hours:
            start, end = self.settings.quiet_hours.split("-")
            text += DESK[lang]["quiet"].format(start=start, end=end)
        return _fixed(lang, text, name)

    def _find(self, arg: str, service: str | None) -> tuple[str, str] | Resolution | PlaceLook:
        """The line, stop or place ``arg`` names (a line or stop first where there are lines), what was not
        found, or the places of several services it names alike (``service`` decides between them when set)."""
        found = resolve(arg, self.gtfs) if self.lines else Resolution(None, TargetKind.LINE, arg)
        if found.target is not None:
            return str(found.target.kind), found.target.key
        if self.places and arg.split()[0].casefold() not in STOP_WORDS:
            look = self.places.look(arg, service)
            if look.target is not None:
                return str(look.target.kind), look.target.id
            if look.tied:
                return look
        return found

    def _service_of(self, message: Message, read: str | None) -> str | None:
        """The service a message is for: as read on a desk of several, else its page's, else its channel's."""
        given = (message.extras or {}).get(SERVICE_EXTRA)
        for service in (read, given if isinstance(given, str) else None, self.channels.get(message.channel)):
            if service and service != UNDECIDED:
                return service
        return None

    def _tied(self, look: PlaceLook, lang: str, forms: dict[str, str]) -> str:
        """Which of the tied places? Each named with its service, and how to say it again for one of them."""
        options = [f"{subject.label or subject.id} ({label or name})" for name, label, subject in look.tied]
        _name, label, subject = look.tied[-1]
        again = forms["follow"].format(arg=f"{self._argument(str(subject.kind), subject.id, lang)} ({label})")
        return PLACE_DESK[lang]["tied"].format(options=PLACE_DESK[lang]["or"].join(options), example=again)

    def _label(self, kind: str, key: str, lang: str) -> str:
        return self.places.label(kind, key, lang) if is_place(kind) else label(kind, key, self.gtfs, lang)

    def _argument(self, kind: str, key: str, lang: str) -> str:
        return self.places.argument(kind, key, lang) if is_place(kind) else argument(kind, key, self.gtfs, lang)

    def _listing(self, who: Chat, lang: str, forms: dict[str, str]) -> str:
        followed = followed_by(self.engine, who)
        if not followed:
            return self._says(lang, "none").format(example=forms["example"])
        items = ", ".join(self._label(f.kind, f.target, lang) for f in followed)
        return DESK[lang]["list"].format(items=items, stop_any=forms["stop_any"])

    @staticmethod
    def _unknown(asked: TargetKind, wanted: str, suggestions: tuple[str, ...], lang: str) -> str:
        key = "unknown_stop" if asked == TargetKind.STOP else "unknown_line"
        text = DESK[lang][key].format(arg=redact(wanted))
        if suggestions:
            text += DESK[lang]["suggest"].format(names=", ".join(suggestions))
        return text


def _fixed(lang: str, text: str, name: str) -> tuple[Decision, DraftReply]:
    decision = Decision(lang=lang, intent=Intent.OTHER, action=Action.AUTO, confidence=1.0, reasons=(f"command {name}",))
    return decision, DraftReply(text=text, lang=lang, action=Action.AUTO)
