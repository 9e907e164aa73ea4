"""From a Telegram update to what sportello does with it: store, amend, acknowledge or let go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, select
from telegram import Message as TgMessage
from telegram import MessageEntity, Update

from bot.channels.commands import parse_command
from bot.channels.textlimits import cut, storable_text
from bot.domain import InboundMessage
from storage.db import session_scope
from storage.models import Message

CHANNEL = "telegram"
PRIVATE = "private"
#: Attachments the bot cannot read, in the order they are looked for.
#: Telegram's own limit on a message's text; anything longer did not come from Telegram's apps.
MAX_TEXT_CHARS = 4096
MEDIA = ("photo", "voice", "audio", "video", "video_note", "animation", "document", "location", "contact", "poll")


@dataclass(frozen=True)
class Intake:
    """What to do with one update."""

    kind: Literal["store", "amend", "acknowledge", "ignore"]
    reason: str = ""
    message: InboundMessage | None = None
    callback_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, to recognise mentions and replies to it."""

    id: int
    username: str


def read_update(update: Update, me: BotIdentity, now: datetime) -> Intake:
    """Sort one update; every type gets an answer, none stops the channel."""
    if update.message is not None:
        return _read_message(update.message, me, now, edited=False)
    if update.edited_message is not None:
        return _read_message(update.edited_message, me, now, edited=True)
    if update.callback_query is not None:
        return Intake("acknowledge", "callback query", callback_id=update.callback_query.id)
    if update.channel_post is not None or update.edited_channel_post is not None:
        return Intake("ignore", "channel post")
    if update.my_chat_member is not None or update.chat_member is not None:
        return Intake("ignore", "membership change")
    return Intake("ignore", "update type not handled")


def _read_message(msg: TgMessage, me: BotIdentity, now: datetime, *, edited: bool) -> Intake:
    sender = msg.from_user
    if sender is None or sender.is_bot:
        return Intake("ignore", "sent by a bot or anonymously")
    if msg.new_chat_members or msg.left_chat_member:
        return Intake("ignore", "members joined or left")
    text = msg.text if msg.text is not None else (msg.caption or "")
    text, too_long = cut(text, MAX_TEXT_CHARS)
    private = msg.chat.type == PRIVATE
    command = parse_command(text, bot_username=me.username, user_lang=sender.language_code)
    if not private and not (command or _addressed(msg, me)):
        return Intake("ignore", "group message not addressed to the bot")
    text = _without_mention(text, me).strip()
    extras: dict[str, Any] = {
        "chat_id": msg.chat.id,
        "message_id": msg.message_id,
        "chat_type": msg.chat.type,
        "lang": storable_text(sender.language_code or "")[:8] or None,
        "username": storable_text(sender.username or "") or None,
    }
    if too_long:
        extras["too_long"] = too_long
    if command:
        extras["command"] = command.as_extras()
    media = next((kind for kind in MEDIA if getattr(msg, kind, None)), None)
    if msg.sticker is not None:
        extras["unreadable"] = "sticker"
        text = f"[sticker {msg.sticker.emoji or ''}]".replace(" ]", "]")
    elif media and not text:
        extras["unreadable"] = media
        text = f"[{media}]"
    elif media:
        extras["media"] = media
    elif not text:
        extras["unreadable"] = "content"
        text = "[?]"
    message = InboundMessage(
        channel=CHANNEL,
        external_id=f"{msg.chat.id}:{msg.message_id}",
        author=str(sender.id),
        author_name=storable_text(f"@{sender.username}" if sender.username else sender.full_name),
        text=text,
        received_at=msg.date or now,
        thread_id=str(msg.chat.id) if private else f"{msg.chat.id}:{sender.id}",
        reply_to=f"{msg.chat.id}:{msg.reply_to_message.message_id}" if msg.reply_to_message else None,
        extras=extras,
    )
    return Intake("amend" if edited else "store", message=message)


def _entities(msg: TgMessage) -> dict[MessageEntity, str]:
    if msg.text is not None:
        return msg.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    return msg.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])


def _addressed(msg: TgMessage, me: BotIdentity) -> bool:
    """In a group: the bot is mentioned, or the message replies to one of the bot's."""
    reply = msg.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
        return True
    for entity, value in _entities(msg).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == me.id:
            return True
        if entity.type == MessageEntity.MENTION and value.lower() == f"@{me.username.lower()}":
            return True
    return False


def _without_mention(text: str, me: BotIdentity) -> str:
    return re.sub(rf"@{re.escape(me.username)}\b", "", text, flags=re.IGNORECASE).replace("  ", " ")


def amend(engine: Engine, message: InboundMessage) -> bool:
    """Apply an edit to the stored message; False when it was never stored.

    The text is replaced (the previous one kept in ``extras["edits"]``) and nothing is
    answered again: a message still waiting is routed with the new text, one already
    answered keeps its answer and shows the edit to agents.
    """
    with session_scope(engine) as session:
        row = session.execute(
            select(Message)
            .where(Message.channel == message.channel, Message.external_id == message.external_id)
            .with_for_update()
        ).scalars().first()
        if row is None:
            return False
        if row.text != message.text:
            extras = dict(row.extras or {})
            extras["edits"] = [*extras.get("edits", []), row.text]
            for key in ("command", "media", "unreadable"):
                extras.pop(key, None)
                if key in message.extras:
                    extras[key] = message.extras[key]
            row.extras = extras
            row.text = message.text
            session.add(row)
        return True
