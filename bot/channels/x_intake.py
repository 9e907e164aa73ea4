"""From X API v2 payloads (mentions, DM events) to sportello's inbound messages, and what to skip."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.textlimits import cut
from bot.domain import InboundMessage

CHANNEL = "x"
#: X's own limit on a DM (posts are shorter); anything longer did not come from X.
MAX_TEXT_CHARS = 10_000
_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s*)+")
_MENTION_OR_URL = re.compile(r"@\w+|https?://\S+")


@dataclass(frozen=True)
class Skipped:
    """A post read but not taken in, and why."""

    external_id: str
    reason: str


def parse_time(value: str | None, default: datetime) -> datetime:
    """An X timestamp ("2026-11-27T07:30:00.000Z") as an aware datetime."""
    if not value:
        return default
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _users(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in page.get("includes", {}).get("users", [])}


def references(tweet: dict[str, Any]) -> dict[str, str]:
    return {r.get("type", ""): r.get("id", "") for r in tweet.get("referenced_tweets") or []}


def skip_reason(tweet: dict[str, Any], me: str) -> str | None:
    """Why a mention must not be answered, or None when it is a citizen's post to us."""
    if tweet.get("author_id") == me:
        return "own post"
    refs = references(tweet)
    if "retweeted" in refs:
        return "retweet"
    if "quoted" in refs and not _MENTION_OR_URL.sub("", html.unescape(tweet.get("text", ""))).strip():
        return "quote without text"
    return None


def mentions(page: dict[str, Any], me: str, now: datetime) -> tuple[list[InboundMessage], list[Skipped]]:
    """The messages in one page of ``GET /2/users/:id/mentions``, oldest first."""
    users = _users(page)
    taken: list[InboundMessage] = []
    skipped: list[Skipped] = []
    for tweet in reversed(page.get("data") or []):
        reason = skip_reason(tweet, me)
        if reason:
            skipped.append(Skipped(tweet["id"], reason))
            continue
        taken.append(_mention(tweet, users, now))
    return taken, skipped


def _mention(tweet: dict[str, Any], users: dict[str, dict[str, Any]], now: datetime) -> InboundMessage:
    author = users.get(tweet.get("author_id", ""), {})
    raw, too_long = cut(html.unescape(str(tweet.get("text") or "")), MAX_TEXT_CHARS)
    text = _LEADING_MENTIONS.sub("", raw).strip() or raw
    refs = references(tweet)
    username = author.get("username")
    return InboundMessage(
        channel=CHANNEL,
        external_id=tweet["id"],
        author=tweet.get("author_id", ""),
        author_name=f"@{username}" if username else author.get("name"),
        text=text,
        received_at=parse_time(tweet.get("created_at"), now),
        thread_id=tweet.get("conversation_id") or tweet["id"],
        reply_to=refs.get("replied_to"),
        extras={
            "x_kind": "mention",
            "x_text": raw,
            "x_username": username,
            "lang": tweet.get("lang"),
            **({"too_long": too_long} if too_long else {}),
        },
    )


def dm_events(
    page: dict[str, Any], me: str, now: datetime
) -> tuple[list[InboundMessage], list[Skipped]]:
    """The citizens' messages in one page of ``GET /2/dm_events``, oldest first."""
    users = _users(page)
    taken: list[InboundMessage] = []
    skipped: list[Skipped] = []
    for event in reversed(page.get("data") or []):
        external = f"dm:{event['id']}"
        if event.get("event_type", "MessageCreate") != "MessageCreate":
            skipped.append(Skipped(external, "not a message"))
            continue
        if event.get("sender_id") == me:
            skipped.append(Skipped(external, "own message"))
            continue
        taken.append(_dm(event, users, now))
    return taken, skipped


def _dm(event: dict[str, Any], users: dict[str, dict[str, Any]], now: datetime) -> InboundMessage:
    sender = users.get(event.get("sender_id", ""), {})
    text, too_long = cut(html.unescape(str(event.get("text") or "")).strip(), MAX_TEXT_CHARS)
    extras: dict[str, Any] = {
        "x_kind": "dm",
        "x_dm_conversation_id": event.get("dm_conversation_id"),
        "x_username": sender.get("username"),
    }
    if too_long:
        extras["too_long"] = too_long
    if event.get("attachments") and not text:
        extras["unreadable"] = "media"
    username = sender.get("username")
    return InboundMessage(
        channel=CHANNEL,
        external_id=f"dm:{event['id']}",
        author=event.get("sender_id", ""),
        author_name=f"@{username}" if username else sender.get("name"),
        text=text,
        received_at=parse_time(event.get("created_at"), now),
        thread_id=f"dm:{event.get('dm_conversation_id') or event.get('sender_id')}",
        extras=extras,
    )
