"""The X channel: mentions and DMs in (cursor moved only once stored), replies and threads out."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.channels import x_intake
from bot.channels.backoff import Backoff, Sleep, default_sleep
from bot.channels.base import Channel, ChannelContext, register
from bot.channels.ledger import CAPPED, DEGRADED, RUNNING, STOPPED, ChannelLedger
from bot.channels.x_client import (
    XRejected,
    DM_FIELDS,
    TWEET_FIELDS,
    USER_FIELDS,
    XAmbiguous,
    XApi,
    XDuplicate,
    XRateLimited,
    XUnavailable,
    make_client,
)
from bot.channels.x_text import same_post, split_thread
from bot.config import Settings, channel_enabled
from bot.domain import InboundMessage, OutboundReply, PostResult
from bot.errors import ChannelAuthError, ChannelError

log = logging.getLogger(__name__)

#: X accepts DMs up to 10,000 characters.
DM_LIMIT = 10_000
PAGE_SIZE = 100


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


@register
class XChannel(Channel):
    """Reads mentions and DMs of the operator's account and answers in the same place."""

    name = "x"

    def __init__(self, context: ChannelContext, *, sleep: Sleep = default_sleep) -> None:
        super().__init__(context)
        self.settings = context.settings.channels.x
        self.poll_seconds = self.settings.poll_seconds
        self.ledger = ChannelLedger(context.engine, self.name, context.clock)
        self.api = XApi(
            make_client(self.settings),
            self.ledger,
            context.clock,
            sleep,
            Backoff(base=self.settings.backoff_seconds, retries=self.settings.max_retries),
        )
        self.me: str | None = None
        self.username: str | None = None
        self.stopped: str | None = None
        self._status: str | None = None

    @property
    def sleep(self) -> Sleep:
        """How the channel waits (tests inject a fake)."""
        return self.api.sleep

    @sleep.setter
    def sleep(self, value: Sleep) -> None:
        self.api.sleep = value

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        x = settings.channels.x
        return channel_enabled(x.enabled, x.access_token, x.consumer_key)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Learn who we are on X; a refusal stops the channel, a network failure waits for polls."""
        self.stopped = None
        try:
            self._identify()
        except ChannelAuthError as exc:
            self._stop(str(exc))
        except ChannelError as exc:
            self._set_status(DEGRADED, f"x: not reachable at start: {exc}")

    def _identify(self) -> str:
        if self.me is None:
            body = self.api.call(
                "users/me", self.api.client.get_me, repeatable=True, user_auth=True, user_fields=USER_FIELDS
            )
            self.me = str(body["data"]["id"])
            self.username = body["data"].get("username")
            log.info("x: signed in as @%s (%s)", self.username, self.me)
            self._set_status(RUNNING, f"signed in as @{self.username}")
        return self.me

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        log.error("x: channel STOPPED: %s; check the keys and the app's permissions, then restart", reason)
        self._set_status(STOPPED, reason)

    def _set_status(self, state: str, detail: str | None) -> None:
        if self._status == f"{state}:{detail}":
            return
        self._status = f"{state}:{detail}"
        self.ledger.set_status(state, detail)

    # -- intake ---------------------------------------------------------------------------
    def poll(self) -> int:
        """Fetch new mentions and DMs into the queue; cursors move only after they are stored."""
        if self.stopped:
            return 0
        calls, _posts = self.ledger.usage()
        if calls >= self.settings.daily_call_cap:
            self._set_status(CAPPED, f"daily call cap reached ({calls}/{self.settings.daily_call_cap})")
            return 0
        stored = 0
        try:
            me = self._identify()
            stored += self._poll_mentions(me)
            stored += self._poll_dms(me)
        except ChannelAuthError as exc:
            self._stop(str(exc))
        except XRateLimited as exc:
            log.info("%s; polling resumes then", exc)
        except (XUnavailable, ChannelError) as exc:
            log.warning("x: poll failed, will try again: %s", exc)
            self._set_status(DEGRADED, str(exc))
        else:
            self._set_status(RUNNING, f"signed in as @{self.username}")
        return stored

    def _due(self, endpoint: str) -> bool:
        not_before = self.api.not_before(endpoint)
        return not_before is None or self.context.clock() >= not_before

    def _within_cap(self) -> bool:
        return self.ledger.usage()[0] < self.settings.daily_call_cap

    def _poll_mentions(self, me: str) -> int:
        if not self._due("mentions"):
            return 0
        since = self.ledger.cursor("since_id")
        params: dict[str, Any] = {
            "id": me,
            "user_auth": True,
            "max_results": PAGE_SIZE,
            "expansions": ["author_id", "referenced_tweets.id", "in_reply_to_user_id"],
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
        }
        now = self.context.clock()
        if since:
            params["since_id"] = since
        else:
            params["start_time"] = now - timedelta(minutes=self.settings.backfill_minutes)
        found: list[InboundMessage] = []
        newest = int(since) if since else 0
        token: str | None = None
        while True:
            page = self.api.call(
                "mentions", self.api.client.get_users_mentions, repeatable=True,
                **params, **({"pagination_token": token} if token else {}),
            )
            taken, skipped = x_intake.mentions(page, me, now)
            for skip in skipped:
                log.debug("x: not answering %s (%s)", skip.external_id, skip.reason)
            found = taken + found  # pages come newest first; keep the whole list oldest first
            newest = max([newest] + [int(t["id"]) for t in page.get("data") or []])
            token = page.get("meta", {}).get("next_token")
            if not token:
                break
            if not self._within_cap():
                log.warning("x: daily call cap reached in the middle of the mentions; cursor kept")
                return sum(1 for i in self.context.queue.enqueue_many(found) if i is not None)
        stored = sum(1 for i in self.context.queue.enqueue_many(found) if i is not None)
        if newest and str(newest) != since:
            self.ledger.set_cursor("since_id", str(newest))
        return stored

    def _poll_dms(self, me: str) -> int:
        if not self._due("dm_events"):
            return 0
        last = self.ledger.cursor("dm_event_id")
        now = self.context.clock()
        oldest_wanted = now - timedelta(minutes=self.settings.backfill_minutes)
        found: list[InboundMessage] = []
        newest = int(last) if last else 0
        token: str | None = None
        while True:
            page = self.api.call(
                "dm_events", self.api.client.get_direct_message_events, repeatable=True,
                user_auth=True, max_results=PAGE_SIZE, event_types="MessageCreate",
                dm_event_fields=DM_FIELDS, expansions=["sender_id"], user_fields=USER_FIELDS,
                **({"pagination_token": token} if token else {}),
            )
            events = page.get("data") or []
            fresh = [
                e for e in events
                if (int(e["id"]) > int(last) if last
                    else x_intake.parse_time(e.get("created_at"), now) >= oldest_wanted)
            ]
            taken, _skipped = x_intake.dm_events({**page, "data": fresh}, me, now)
            found = taken + found
            newest = max([newest] + [int(e["id"]) for e in fresh])
            token = page.get("meta", {}).get("next_token")
            if not token or len(fresh) < len(events) or not self._within_cap():
                break
        stored = sum(1 for i in self.context.queue.enqueue_many(found) if i is not None)
        if newest and str(newest) != last:
            self.ledger.set_cursor("dm_event_id", str(newest))
        return stored

    # -- replies --------------------------------------------------------------------------
    def post(self, reply: OutboundReply) -> PostResult:
        """Reply in the citizen's thread (a numbered thread when long), or by DM to a DM."""
        if self.stopped:
            raise ChannelAuthError(f"x: channel stopped: {self.stopped}")
        try:
            if reply.extras.get("x_kind") == "dm":
                return PostResult(tuple(self._send_dm(reply, part) for part in _chunks(reply.text, DM_LIMIT)))
            if reply.private:
                found = self._private(reply)
                if found is not None:
                    return found
            ids: list[str] = []
            parent = reply.in_reply_to
            for part in split_thread(reply.text):
                parent = self._post_tweet(part, parent)
                ids.append(parent)
            return PostResult(tuple(ids))
        except ChannelAuthError as exc:
            self._stop(str(exc))
            raise

    def _private(self, reply: OutboundReply) -> PostResult | None:
        """A DM to the author of a public mention; None when X refuses it (they do not accept DMs)."""
        direct = replace(reply, extras={"x_kind": "dm"})
        try:
            return PostResult(tuple(self._send_dm(direct, part) for part in _chunks(reply.text, DM_LIMIT)))
        except XRejected as exc:
            log.info("x: reply %s could not go by DM (%s); replying in public", reply.reply_id, exc)
            return None

    def _post_tweet(self, text: str, parent: str | None) -> str:
        """Post one tweet; a failure that may have created it is checked on the timeline first."""
        def create() -> str:
            body = self.api.call(
                "tweets", self.api.client.create_tweet, repeatable=False,
                text=text, in_reply_to_tweet_id=parent, user_auth=True,
            )
            return str(body["data"]["id"])

        def check() -> str | None:
            return self._find_tweets([text], parent, self._timeline()).get(0)

        return self._post_once(create, check)

    def _send_dm(self, reply: OutboundReply, text: str) -> str:
        conversation = reply.extras.get("x_dm_conversation_id")

        def create() -> str:
            target = {"dm_conversation_id": conversation} if conversation else {"participant_id": reply.author}
            body = self.api.call(
                "dm_send", self.api.client.create_direct_message, repeatable=False,
                text=text, user_auth=True, **target,
            )
            return f"dm:{body['data']['dm_event_id']}"

        def check() -> str | None:
            found = self._find_dms([text], reply)
            return found[0] if found else None

        return self._post_once(create, check)

    def _post_once(self, create: Any, check: Any) -> str:
        attempt = 0
        while True:
            try:
                posted = create()
                self.ledger.count(posts=1)
                return str(posted)
            except XRateLimited as exc:
                wait = self._rate_wait(exc)
                if wait is None or attempt > self.settings.max_retries:
                    raise
                self.sleep(wait)
            except (XAmbiguous, XDuplicate) as exc:
                self.sleep(self.api.backoff.delay(attempt))
                found = check()
                if found is not None:
                    log.info("x: a post that seemed to fail was on the timeline (%s)", found)
                    return str(found)
                if isinstance(exc, XDuplicate) or attempt >= self.settings.max_retries:
                    raise
            attempt += 1

    def _rate_wait(self, exc: XRateLimited) -> float | None:
        if exc.reset_at is None:
            return self.api.backoff.delay(0)
        wait = (exc.reset_at - self.context.clock()).total_seconds() + 1
        return max(wait, 0.0) if wait <= self.settings.max_rate_wait_seconds else None

    # -- reconciliation -------------------------------------------------------------------
    def find_posted(self, reply: OutboundReply) -> PostResult | None:
        """The reply as it stands on X after an unknown outcome; a thread cut short is completed."""
        if reply.private and reply.extras.get("x_kind") != "dm":
            direct = replace(reply, extras={"x_kind": "dm"})
            if self._find_dms(_chunks(reply.text, DM_LIMIT), direct):
                return self.find_posted(direct)
        if reply.extras.get("x_kind") == "dm":
            parts = _chunks(reply.text, DM_LIMIT)
            found = self._find_dms(parts, reply)
            if not found:
                return None
            for part in parts[len(found) :]:
                found.append(self._send_dm(reply, part))
            return PostResult(tuple(found))
        parts = split_thread(reply.text)
        timeline = self._timeline()
        located = self._find_tweets(parts, reply.in_reply_to, timeline)
        if not located:
            return None
        ids = [located[i] for i in range(len(located))]
        if len(ids) < len(parts):
            log.warning("x: reply %s was cut short after %d of %d posts; finishing it", reply.reply_id, len(ids), len(parts))
            for part in parts[len(ids) :]:
                ids.append(self._post_tweet(part, ids[-1]))
        return PostResult(tuple(ids))

    def _timeline(self) -> list[dict[str, Any]]:
        body = self.api.call(
            "timeline", self.api.client.get_users_tweets, repeatable=True,
            id=self._identify(), user_auth=True, max_results=PAGE_SIZE, tweet_fields=TWEET_FIELDS,
        )
        return list(body.get("data") or [])

    @staticmethod
    def _find_tweets(parts: list[str], parent: str | None, timeline: list[dict[str, Any]]) -> dict[int, str]:
        """Index -> tweet id of the leading parts of a thread found on our timeline."""
        located: dict[int, str] = {}
        for index, part in enumerate(parts):
            match = next(
                (
                    t for t in reversed(timeline)
                    if x_intake.references(t).get("replied_to") == parent and same_post(t.get("text", ""), part)
                ),
                None,
            )
            if match is None:
                break
            located[index] = str(match["id"])
            parent = located[index]
        return located

    def _find_dms(self, parts: list[str], reply: OutboundReply) -> list[str]:
        conversation = reply.extras.get("x_dm_conversation_id")
        target = {"dm_conversation_id": conversation} if conversation else {"participant_id": reply.author}
        body = self.api.call(
            "dm_lookup", self.api.client.get_direct_message_events, repeatable=True,
            user_auth=True, max_results=PAGE_SIZE, event_types="MessageCreate", dm_event_fields=DM_FIELDS,
            **target,
        )
        mine = [e for e in reversed(body.get("data") or []) if e.get("sender_id") == self._identify()]
        found: list[str] = []
        for part in parts:
            match = next((e for e in mine if same_post(e.get("text", ""), part) and f"dm:{e['id']}" not in found), None)
            if match is None:
                break
            found.append(f"dm:{match['id']}")
        return found

    def describe(self) -> dict[str, Any]:
        calls, posts = self.ledger.usage()
        status = self.ledger.status()
        return {
            "name": self.name,
            "account": self.username,
            "state": status[0] if status else None,
            "detail": status[1] if status else None,
            "calls_today": calls,
            "posts_today": posts,
            "daily_call_cap": self.settings.daily_call_cap,
        }
