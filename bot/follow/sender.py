"""Sending follower notices exactly once, paced by the channel, under a lease, within quiet hours and the cap.

Each notice is claimed under a lease; the sender first waits for the platform's send slot
(``Channel.take_turn``), then marks it ``sending`` (committed) and calls the platform at once,
and marks it ``posted`` after. A sender that dies before its ``sending`` mark leaves the notice
``pending``: it is sent again, by this process or another, once the lease runs out. One that
dies between the mark and the record of the call's outcome leaves it ``sending``; once its lease
runs out it becomes ``unknown`` and is never sent again on its own (Telegram cannot be asked
whether a message arrived): a supervisor sees it and decides (``bot.follow.unknown``). Waiting for the slot takes nearly all of a notice's time and the call a few
milliseconds, so a SIGKILL mid fan-out leaves every follower told exactly once, except a notice
whose call was on the wire at that instant (at most ``subscriptions.senders``, in practice none
or one), which is told at most once.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, func, insert, select, update

from bot.channels.base import Channel
from bot.config import Settings
from bot.domain import BOT_ACTOR, OutboundReply, ReplyKind
from bot.errors import ChannelAuthError, OutcomeUnknown, RecipientGone
from bot.follow.events import EventKind, Topic
from bot.follow.quiet import QuietHours
from bot.follow.texts import NOTICE, OUTAGE_NOTICE, how
from storage.followers import Chat, drop_chat
from storage.models import AlertEvent, FollowNotice, Reply

log = logging.getLogger(__name__)

_NOTICES = FollowNotice.__table__  # type: ignore[attr-defined]
_EVENTS = AlertEvent.__table__  # type: ignore[attr-defined]
_REPLIES = Reply.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Claimed:
    """A notice held by this sender, with what was known of it when it was claimed."""

    id: int
    event_id: int
    alert_id: str
    channel: str
    chat: str
    lang: str
    message_id: int | None
    #: A newer word on the same alert waits for them, or it ends an alert they never heard start.
    skip: bool = False
    #: Notices the person got today before this batch (the daily cap).
    sent_today: int = 0


class NoticeSender:
    """Claims pending follower notices and posts them through their channel."""

    def __init__(
        self,
        engine: Engine,
        channels: Mapping[str, Channel],
        settings: Settings,
        *,
        worker: str,
        clock: Callable[[], datetime],
        lease_seconds: float = 60.0,
        max_attempts: int = 5,
        pause_before_finalize: float = 0.0,
        pause_in_turn: float = 0.0,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.settings = settings.subscriptions
        self.worker = worker
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.pause_before_finalize = pause_before_finalize
        self.pause_in_turn = pause_in_turn
        self.announce = announce
        self.quiet = QuietHours(self.settings.quiet_hours, settings.operator.timezone)
        self.zone = self.quiet.zone
        self._events: dict[int, tuple[str, datetime, dict[str, Any], str]] = {}
        self._events_lock = threading.Lock()
        self._stopped_channel = False

    # -- claiming -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim a batch and send it, ``senders`` people at a time; how many notices were claimed
        (0: nothing due, or quiet hours)."""
        now = self.clock()
        self._stopped_channel = False
        self.expire(now)
        if self.quiet.holds(now):
            return 0
        batch = self.claim(now)
        people: dict[tuple[str, str], list[Claimed]] = {}
        for notice in batch:  # one person's notices in order, by one thread (the daily cap)
            people.setdefault((notice.channel, notice.chat), []).append(notice)
        if len(people) <= 1 or self.settings.senders == 1:
            for group in people.values():
                self._send_in_order(group)
        else:
            with ThreadPoolExecutor(max_workers=min(self.settings.senders, len(people))) as pool:
                for done in [pool.submit(self._send_in_order, group) for group in people.values()]:
                    done.result()
        return len(batch)

    def _send_in_order(self, notices: list[Claimed]) -> None:
        """One person's notices, in order, counted against the daily cap."""
        sent = notices[0].sent_today if notices else 0
        for index, notice in enumerate(notices):
            if self._stopped_channel:
                self._release(notices[index:])
                return
            try:
                if self.send(notice, sent_today=sent) == "posted":
                    sent += 1
            except ChannelAuthError as exc:  # the channel stopped: give the rest back
                log.error("follow: %s; notices wait for the channel", exc)
                self._stopped_channel = True
                self._release(notices[index:])
                return

    def expire(self, now: datetime) -> int:
        """Notices left ``sending`` by a sender that died become ``unknown`` (never sent again)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(_NOTICES)
                .where(_NOTICES.c.status == "sending", _NOTICES.c.lease_until < now)
                .values(status="unknown", lease_owner=None, lease_until=None, unknown_at=now, checked_at=None)
            )
        if done.rowcount:
            log.warning("follow: %d notices whose sender died mid-call are left unknown, not sent again; "
                        "a supervisor decides on them (/console/team)", done.rowcount)
        return int(done.rowcount or 0)

    def claim(self, now: datetime) -> list[Claimed]:
        """Take up to ``send_batch`` pending notices of the channels this process runs, oldest first,
        with what is known of each at once (superseded or not, the person's count today)."""
        until = now + timedelta(seconds=self.lease_seconds)
        with self.engine.begin() as conn:
            ids = conn.execute(
                select(_NOTICES.c.id)
                .where(
                    _NOTICES.c.status == "pending",
                    (_NOTICES.c.lease_until.is_(None)) | (_NOTICES.c.lease_until < now),
                    _NOTICES.c.channel.in_(list(self.channels)),
                )
                .order_by(_NOTICES.c.id)
                .limit(self.settings.send_batch)
                .with_for_update(skip_locked=True)
            ).scalars().all()
            if not ids:
                return []
            rows = conn.execute(
                update(_NOTICES).where(_NOTICES.c.id.in_(ids))
                .values(lease_owner=self.worker, lease_until=until)
                .returning(_NOTICES.c.id, _NOTICES.c.event_id, _NOTICES.c.alert_id, _NOTICES.c.channel,
                           _NOTICES.c.chat, _NOTICES.c.lang, _NOTICES.c.message_id)
            ).all()
            skip = _superseded(conn, ids) | _unheard_ends(conn, ids)
            today = self._sent_today(conn, {(row.channel, row.chat) for row in rows}, now)
        claimed = [Claimed(*row, skip=row.id in skip, sent_today=today.get((row.channel, row.chat), 0)) for row in rows]
        return sorted(claimed, key=lambda c: c.id)

    def _sent_today(self, conn: Any, people: set[tuple[str, str]], now: datetime) -> dict[tuple[str, str], int]:
        rows = conn.execute(
            select(_NOTICES.c.channel, _NOTICES.c.chat, func.count())
            .where(_NOTICES.c.chat.in_(sorted({chat for _channel, chat in people})), _NOTICES.c.status == "posted",
                   _NOTICES.c.posted_at >= self.quiet.day_start(now))
            .group_by(_NOTICES.c.channel, _NOTICES.c.chat)
        ).all()
        return {(channel, chat): int(count) for channel, chat, count in rows if (channel, chat) in people}

    def _release(self, batch: list[Claimed]) -> None:
        if not batch:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(_NOTICES)
                .where(_NOTICES.c.id.in_([c.id for c in batch]), _NOTICES.c.lease_owner == self.worker,
                       _NOTICES.c.status == "pending")
                .values(lease_owner=None, lease_until=None)
            )

    # -- one notice -----------------------------------------------------------------------
    def send(self, notice: Claimed, *, sent_today: int | None = None) -> str:
        """Decide, post and record one claimed notice; its final status ("lost": another sender has it)."""
        now = self.clock()
        kind, at, texts, topic = self._event(notice.event_id)
        if notice.skip:
            verdict = "skipped"
        elif (notice.sent_today if sent_today is None else sent_today) >= self.settings.daily_cap:
            verdict = "capped"
        elif self.channels[notice.channel].posts_in_database:
            verdict = "posted" if notice.message_id is not None else "failed"
        else:
            verdict = "sending"
        text = self.text(notice, kind, at, texts, topic=topic)
        reply = self._reply(notice, text) if verdict == "sending" else None
        if reply is not None:  # the slot first: a sender killed while it waits leaves the notice pending
            self.channels[notice.channel].take_turn(reply)
            self._paused(self.pause_in_turn, f"follow notice {notice.id} has its turn")
        values: dict[str, Any] = {"status": verdict, "lease_owner": None, "lease_until": None}
        if verdict == "sending":  # committed just before the call: a crash now leaves it unknown, never resent
            values = {"status": "sending", "attempts": _NOTICES.c.attempts + 1,
                      "lease_until": self.clock() + timedelta(seconds=self.lease_seconds)}
        elif verdict == "posted":  # the web chat: posting is this very write
            values["posted_at"] = now
        mine = and_(_NOTICES.c.id == notice.id, _NOTICES.c.lease_owner == self.worker, _NOTICES.c.status == "pending")
        with self.engine.begin() as conn:
            if conn.execute(update(_NOTICES).where(mine).values(**values)).rowcount != 1:
                return "lost"
            if verdict == "posted":
                self._post_in_chat(conn, notice, text, now)
        if reply is None:
            return verdict
        return self._post(notice, reply)

    def _paused(self, seconds: float, what: str) -> None:
        """A debugging pause (crash tests kill the process in it)."""
        if seconds:
            if self.announce:
                self.announce(what)
            time.sleep(seconds)

    def _post_in_chat(self, conn: Any, notice: Claimed, text: str, now: datetime) -> None:
        assert notice.message_id is not None
        reply_id = conn.execute(insert(_REPLIES).values(
            message_id=notice.message_id, case_id=None, channel=notice.channel, text=text, lang=notice.lang,
            author=BOT_ACTOR, status="posted", kind=str(ReplyKind.FOLLOW), external_ids=[], attempts=1,
            created_at=now, posted_at=now,
        ).returning(_REPLIES.c.id)).scalar_one()
        conn.execute(update(_NOTICES).where(_NOTICES.c.id == notice.id).values(external_id=f"web-reply-{reply_id}"))

    @staticmethod
    def _reply(notice: Claimed, text: str) -> OutboundReply:
        return OutboundReply(
            reply_id=notice.id, channel=notice.channel, text=text, lang=notice.lang, thread_id=None,
            in_reply_to=None, author=notice.chat, extras={"chat_id": _chat_id(notice.chat), "chat_type": "private"},
        )

    def _post(self, notice: Claimed, reply: OutboundReply) -> str:
        channel = self.channels[notice.channel]
        try:
            result = channel.post(reply)
        except RecipientGone as exc:
            log.info("follow: chat %s:%s refuses the bot (%s); its follows are removed", notice.channel, notice.chat, exc)
            with self.engine.begin() as conn:
                drop_chat(conn, Chat(notice.channel, notice.chat))
                self._finish(conn, notice, "blocked", error=str(exc))
            return "blocked"
        except ChannelAuthError:
            with self.engine.begin() as conn:
                conn.execute(update(_NOTICES).where(_NOTICES.c.id == notice.id).values(
                    status="pending", attempts=_NOTICES.c.attempts - 1))
            raise
        except Exception as exc:  # noqa: BLE001 - the loop boundary of one notice
            return self._failed(notice, exc)
        self._paused(self.pause_before_finalize, f"posted follow notice {notice.id}")
        with self.engine.begin() as conn:
            self._finish(conn, notice, "posted", external_id=",".join(result.external_ids)[:128] or None)
        return "posted"

    def _failed(self, notice: Claimed, exc: Exception) -> str:
        """A call that failed: unknown when it may have arrived, else tried again later (or failed)."""
        unsure = isinstance(exc, OutcomeUnknown)
        with self.engine.begin() as conn:
            attempts = conn.execute(select(_NOTICES.c.attempts).where(_NOTICES.c.id == notice.id)).scalar_one()
            if unsure:
                status = "unknown"
            elif attempts >= self.max_attempts:
                status = "failed"
            else:
                status = "pending"
            delay = min(300.0, 2.0 ** attempts)
            unknown = {"unknown_at": self.clock(), "checked_at": None} if unsure else {}
            conn.execute(update(_NOTICES).where(_NOTICES.c.id == notice.id).values(
                status=status, error=f"{type(exc).__name__}: {exc}"[:4000], lease_owner=None,
                lease_until=self.clock() + timedelta(seconds=delay) if status == "pending" else None, **unknown,
            ))
        log.warning("follow: notice %s %s: %s", notice.id, status, exc)
        return status

    def _finish(self, conn: Any, notice: Claimed, status: str, *, external_id: str | None = None,
                error: str | None = None) -> None:
        conn.execute(update(_NOTICES).where(_NOTICES.c.id == notice.id).values(
            status=status, posted_at=self.clock() if status == "posted" else None, external_id=external_id,
            error=error, lease_owner=None, lease_until=None,
        ))

    # -- texts ----------------------------------------------------------------------------
    def _event(self, event_id: int) -> tuple[EventKind, datetime, dict[str, Any], Topic]:
        with self._events_lock:
            known = self._events.get(event_id)
        if known is None:
            with self.engine.connect() as conn:
                row = conn.execute(select(_EVENTS.c.kind, _EVENTS.c.at, _EVENTS.c.texts, _EVENTS.c.topic)
                                   .where(_EVENTS.c.id == event_id)).one()
            known = (row.kind, row.at, row.texts, row.topic)
            with self._events_lock:
                if len(self._events) > 1000:
                    self._events.clear()
                self._events[event_id] = known
        kind, at, texts, topic = known
        return EventKind(kind), at, texts, Topic(topic or Topic.ALERT)

    def text(self, notice: Claimed, kind: EventKind, at: datetime, texts: dict[str, Any], *,
             topic: Topic = Topic.ALERT) -> str:
        """The notice in the follower's language, with when it happened and how to stop."""
        lang = notice.lang if notice.lang in NOTICE else "it"
        words, told = NOTICE[lang], texts.get(lang) or texts.get("it") or {}
        if topic == Topic.OUTAGE:
            words = {**words, **OUTAGE_NOTICE[lang]}
        local = at.astimezone(self.zone)
        when = words["at" if kind == EventKind.END else "since"].format(
            time=local.strftime("%H:%M"), day=f"{local.day}/{local.month}")
        parts = [words[str(kind)].format(what=told.get("what", ""), header=told.get("header", "")), when]
        if kind != EventKind.END and told.get("description"):
            parts.insert(1, told["description"])
        forms = how(notice.channel, lang, places=topic == Topic.OUTAGE)
        parts.append(words["footer"].format(stop=forms["stop_any"]))
        return "\n".join(p for p in parts if p)


def _chat_id(chat: str) -> int | str:
    return int(chat) if chat.lstrip("-").isdigit() else chat


def _superseded(conn: Any, ids: list[int]) -> set[int]:
    """Notices followed by a newer one on the same alert for the same person (piled up in quiet hours)."""
    newer = _NOTICES.alias("newer")
    return set(conn.execute(
        select(_NOTICES.c.id).where(_NOTICES.c.id.in_(ids), exists().where(
            newer.c.alert_id == _NOTICES.c.alert_id, newer.c.channel == _NOTICES.c.channel,
            newer.c.chat == _NOTICES.c.chat, newer.c.id > _NOTICES.c.id,
        ))
    ).scalars())


def _unheard_ends(conn: Any, ids: list[int]) -> set[int]:
    """Ends of alerts whose earlier notices to that person were all skipped or capped."""
    earlier = _NOTICES.alias("earlier")
    same = and_(earlier.c.alert_id == _NOTICES.c.alert_id, earlier.c.channel == _NOTICES.c.channel,
                earlier.c.chat == _NOTICES.c.chat, earlier.c.id < _NOTICES.c.id)
    return set(conn.execute(
        select(_NOTICES.c.id)
        .join(_EVENTS, _EVENTS.c.id == _NOTICES.c.event_id)
        .where(
            _NOTICES.c.id.in_(ids), _EVENTS.c.kind == str(EventKind.END), exists().where(same),
            ~exists().where(same, earlier.c.status.in_(("posted", "unknown", "sending"))),
        )
    ).scalars())
