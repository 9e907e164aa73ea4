"""Answering many at once: pending messages grouped by the alert or FAQ entry they are about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from datetime import datetime

from sqlalchemy import Engine

from bot.console.desk import Desk
from bot.console.queueview import QueueItem, QueueView
from bot.errors import SportelloError

MIN_GROUP = 2


@dataclass
class BulkGroup:
    """Messages waiting for a person that are about the same alert or FAQ entry."""

    kind: str  # "alert" or "faq"
    ref: str
    items: list[QueueItem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def languages(self) -> list[str]:
        return sorted({item.lang or "it" for item in self.items})

    def draft_for(self, lang: str) -> str:
        """The first drafted reply in ``lang``, as a starting point for the shared answer."""
        for item in self.items:
            if (item.lang or "it") == lang and item.draft:
                return item.draft
        return ""


@dataclass
class BulkOutcome:
    """Which messages got the answer, and why the others did not."""

    sent: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def bulk_groups(view: QueueView, engine: Engine, now: datetime, *, agent: str) -> list[BulkGroup]:
    """Groups of at least two answerable messages sharing an alert id or a FAQ id, largest first.

    Emergencies and possible danger (the watch band: a person reads each) are never answered in bulk, and messages
    another agent holds are left out.
    """
    groups: dict[str, BulkGroup] = {}
    for item in view.load(engine, now):
        if item.urgency in ("emergency", "sending", "answered") or item.watched:
            continue
        if item.claimed_by not in (None, agent):
            continue
        keys = [("alert", a) for a in item.alert_ids]
        if item.faq_id:
            keys.append(("faq", item.faq_id))
        for kind, ref in keys:
            groups.setdefault(f"{kind}:{ref}", BulkGroup(kind, ref)).items.append(item)
    found = [g for g in groups.values() if len(g.items) >= MIN_GROUP]
    return sorted(found, key=lambda g: (-len(g.items), g.key))


def answer_many(
    desk: Desk,
    agent: str,
    message_ids: Sequence[int],
    texts: Mapping[str, str],
    *,
    languages: Mapping[int, str],
    use_drafts: bool = False,
) -> BulkOutcome:
    """Send each message its own reply: the text for its language, or its own draft if allowed.

    Each message moves in its own transaction, so one taken by someone else meanwhile is
    skipped without holding back the rest.
    """
    outcome = BulkOutcome()
    for message_id in message_ids:
        text = (texts.get(languages.get(message_id, "it")) or "").strip()
        try:
            if text:
                desk.send(message_id, agent, text)
            elif use_drafts:
                desk.approve(message_id, agent)
            else:
                outcome.skipped[message_id] = f"no text in {languages.get(message_id, 'it')}"
                continue
        except SportelloError as exc:
            outcome.skipped[message_id] = str(exc)
            continue
        outcome.sent.append(message_id)
    return outcome

