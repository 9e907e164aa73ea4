"""What an agent narrows the queue and the search to, read from (and written back to) a link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.console.queueview import QueueItem, names_place
from bot.domain import Intent, MessageState

#: The filters, in the order of the filter bar and of a saved link (``service`` is the service of a
#: desk of several, ``route`` the line or place (a line by its name, a street, area or service point by words
#: of its name), ``faq`` the subject: the FAQ entry the message is about).
FILTER_NAMES = ("q", "service", "channel", "route", "faq", "intent", "state", "lang", "agent", "since", "until")
CHANNELS = ("web", "telegram", "x")
LANGUAGES = ("it", "en", "other")
#: The longest search text and filter value kept from a link.
MAX_QUERY = 200
MAX_VALUE = 64


@dataclass(frozen=True)
class Filters:
    """The filters of one view; an empty field filters nothing."""

    q: str = ""
    service: str = ""
    channel: str = ""
    route: str = ""
    faq: str = ""
    intent: str = ""
    state: str = ""
    lang: str = ""
    agent: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """Filters from a query string; unknown or malformed values are dropped, never an error."""

        def value(name: str, allowed: tuple[str, ...] | None = None, limit: int = MAX_VALUE) -> str:
            found = (params.get(name) or "").strip()[:limit]
            if allowed is not None and found not in allowed:
                return ""
            return found

        return cls(
            q=value("q", limit=MAX_QUERY),
            service=value("service", limit=32),
            channel=value("channel", CHANNELS),
            route=value("route"),
            faq=value("faq", limit=128),
            intent=value("intent", tuple(str(i) for i in Intent)),
            state=value("state", tuple(str(s) for s in MessageState)),
            lang=value("lang", LANGUAGES),
            agent=value("agent"),
            since=_day(params.get("since")),
            until=_day(params.get("until")),
        )

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any(getattr(self, f.name) for f in fields(self))

    def query(self, **changes: object) -> str:
        """The filters as a query string (the saved link), with ``changes`` applied."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        pairs = [(name, str(getattr(changed, name))) for name in FILTER_NAMES if getattr(changed, name)]
        return urlencode(pairs)

    def window(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """``since`` and ``until`` as instants: from the start of ``since`` to the end of ``until``, local time."""
        start = datetime.combine(self.since, time(0), tzinfo=zone) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(0), tzinfo=zone) if self.until else None
        return start, end

    def matches(self, item: QueueItem, zone: ZoneInfo) -> bool:
        """Whether a queue line passes every filter but ``q`` (the queue's search goes to the search page)."""
        if self.service and item.service != self.service:
            return False
        if self.channel and item.channel != self.channel:
            return False
        if self.route and not names_place(self.route, item.routes, item.places):
            return False
        if self.faq and item.faq_id != self.faq:
            return False
        if self.intent and item.intent != self.intent:
            return False
        if self.state and item.state != self.state:
            return False
        if self.lang and _language(item.lang) != self.lang:
            return False
        if self.agent and self.agent not in (item.claimed_by, item.assigned_to):
            return False
        start, end = self.window(zone)
        received = datetime.fromisoformat(item.received_at)
        return not (start and received < start or end and received >= end)


def _language(lang: str | None) -> str:
    return lang if lang in ("it", "en") else "other"


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None
