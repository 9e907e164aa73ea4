"""Notices written beside the routing and posted at once: the emergency lane and the acknowledgement.

An emergency gets a safety reply (call the emergency number, tell the staff) and an alert to
the operations room; a message that waits for a person gets, once per case, an
acknowledgement with the expected wait and the case number (possible danger, the watch band:
one calm line more with the emergency number). Each notice is a row of the outbox
(``replies`` with its :class:`ReplyKind`) written in the routing transaction, then posted by
:class:`bot.notice_delivery.NoticePoster` exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from bot.config import Settings
from bot.domain import BOT_ACTOR, Action, DangerCause, Decision, ReplyKind, as_utc, is_emergency, is_watched
from handlers.notices import EmergencyVoice, ack_text, ops_text, safety_text
from storage.cases import acknowledged, agent_holds
from storage.models import Case, Message, Reply
from storage.waits import estimate_wait

_REPLIES = Reply.__table__  # type: ignore[attr-defined]
_CASES = Case.__table__  # type: ignore[attr-defined]

#: Outbox channels of the operations room's alerts (posted by the notice poster, not an adapter).
OPS_TELEGRAM = "ops:telegram"
OPS_EMAIL = "ops:email"


def notice_language(row: Message, decision: Decision) -> str:
    """The language of a notice: the reader's, unless the platform says the citizen uses another
    one than Italian or English (a Telegram app in German), the message is written in another language (a
    Spanish tourist's emergency), or it is in a script the reader cannot read: then ``other``, written in both."""
    if decision.danger_cause == DangerCause.UNREAD_SCRIPT:
        return "other"
    if decision.written_lang and decision.written_lang not in ("it", "en"):
        return "other"
    told = str((row.extras or {}).get("lang") or "")[:2].lower()
    if told and told not in ("it", "en"):
        return "other"
    return decision.lang if decision.lang in ("it", "en") else "other"


class NoticeDesk:
    """Decides which notices a routed message gets and writes them to the outbox."""

    def __init__(
        self, settings: Settings, *, clock: Callable[[], datetime], voices: Mapping[str, EmergencyVoice] | None = None,
        main: str | None = None,
    ) -> None:
        """``voices``: each service's emergency words and numbers on a desk of several (by service name);
        ``main``: the one used when a message's service is undecided (transit's, on a desk that has it)."""
        self.settings = settings
        self.clock = clock
        self.voices = dict(voices or {})
        self.fallback = self.voices.get(main or "") or EmergencyVoice.of(settings)

    def voice(self, decision: Decision) -> EmergencyVoice:
        """The voice of the service the message was routed to; the main service's when that is undecided."""
        return self.voices.get(decision.service or "") or self.fallback

    def plan(
        self, conn: Connection, row: Message, decision: Decision, action: Action, *, worker: str, lease_seconds: float
    ) -> list[int]:
        """Write the notices ``row`` calls for, leased to ``worker``, in the routing transaction ``conn``;
        return their reply ids."""
        now = self.clock()
        lang = notice_language(row, decision)
        notices: list[dict[str, Any]] = []
        if is_emergency(decision):
            voice = self.voice(decision)
            text = safety_text(lang, emergency_number=voice.emergency_number, domain=voice.domain, line=voice.breakdown_number)
            notices.append(self._row(row, ReplyKind.SAFETY, row.channel, text, lang, now))
            notices += self._ops(row, lang, now)
        elif action != Action.AUTO and self._wants_ack(conn, row, now):
            assert row.case_id is not None
            number = self.voice(decision).emergency_number if is_watched(decision) else None  # possible danger
            text = ack_text(lang, case_id=row.case_id, estimate=estimate_wait(conn, now), emergency_number=number)
            notices.append(self._row(row, ReplyKind.ACK, row.channel, text, lang, now))
        ids = []
        for notice in notices:
            notice.update(lease_owner=worker, lease_until=now + timedelta(seconds=lease_seconds))
            ids.append(int(conn.execute(insert(_REPLIES).values(notice).returning(_REPLIES.c.id)).scalar_one()))
        return ids

    def _wants_ack(self, conn: Connection, row: Message, now: datetime) -> bool:
        settings = self.settings.acknowledgements
        if not settings.enabled or row.channel not in settings.channels or row.case_id is None:
            return False
        # One acknowledgement per case even when two workers route its messages at once.
        conn.execute(select(_CASES.c.id).where(_CASES.c.id == row.case_id).with_for_update()).first()
        if acknowledged(conn, row.case_id):
            return False
        hold = self.settings.cases.agent_hold_minutes
        return not agent_holds(conn, row.case_id, now, hold_minutes=hold, claim_minutes=self.settings.console.claim_minutes)

    def _ops(self, row: Message, lang: str, now: datetime) -> list[dict[str, Any]]:
        settings = self.settings.emergency
        assert row.case_id is not None
        text = ops_text(
            case_id=row.case_id, channel=row.channel, lang=lang, text=row.text,
            received=as_utc(row.received_at).isoformat(timespec="seconds"),
        )
        wanted = [(OPS_TELEGRAM, settings.notify_telegram_chat), (OPS_EMAIL, settings.notify_email)]
        return [self._row(row, ReplyKind.OPS, channel, text, lang, now) for channel, target in wanted if target]

    @staticmethod
    def _row(row: Message, kind: ReplyKind, channel: str, text: str, lang: str, now: datetime) -> dict[str, Any]:
        assert row.id is not None
        return {
            "message_id": row.id, "case_id": row.case_id, "channel": channel, "text": text, "lang": lang,
            "author": BOT_ACTOR, "status": "pending", "kind": str(kind), "external_ids": [], "attempts": 0,
            "created_at": now,
        }
