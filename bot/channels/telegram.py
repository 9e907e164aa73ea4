"""The Telegram channel: long polling or a webhook in, paced HTML replies out."""

from __future__ import annotations

import hmac
import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.backoff import Backoff, Sleep, default_sleep
from bot.channels.base import Channel, ChannelContext, register
from bot.channels.ledger import DEGRADED, RUNNING, STOPPED, ChannelLedger
from bot.channels.ratelimit import SendPacer
from bot.channels.telegram_client import LoopThread, make_bot, retry_after_seconds
from bot.channels.telegram_intake import PRIVATE, BotIdentity, amend, read_update
from bot.channels.telegram_text import split_message
from bot.config import Settings, channel_enabled
from bot.domain import OutboundReply, PostResult
from bot.errors import BadInput, ChannelAuthError, ChannelError, ConfigError, OutcomeUnknown, RecipientGone
from bot.ops.call_errors import CallFailure, record_call_error
from bot.web.inputs import read_json
from bot.web.limits import TokenBuckets, client_address, too_many

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
                   "my_chat_member", "chat_member"]
BATCH = 100
MAX_BATCHES = 5


class TelegramUnsure(OutcomeUnknown):
    """A send timed out: Telegram may or may not have delivered it."""


@register
class TelegramChannel(Channel):
    """Citizens write to the bot in private, or mention it in groups; it answers in the chat."""

    name = "telegram"

    def __init__(self, context: ChannelContext, *, sleep: Sleep = default_sleep) -> None:
        super().__init__(context)
        self.settings = context.settings.channels.telegram
        if self.settings.mode == "webhook" and not (self.settings.webhook_url and self.settings.secret_token):
            msg = "channels.telegram: webhook mode needs webhook_url and secret_token (TELEGRAM_WEBHOOK_SECRET)"
            raise ConfigError(msg)
        self.poll_seconds = self.settings.poll_seconds if self.settings.mode == "polling" else None
        self.ledger = ChannelLedger(context.engine, self.name, context.clock)
        self.sleep = sleep
        self.backoff = Backoff(base=self.settings.backoff_seconds, retries=self.settings.max_retries)
        self.pacer = SendPacer(
            global_per_second=self.settings.global_per_second,
            chat_per_second=self.settings.chat_per_second,
            group_per_minute=self.settings.group_per_minute,
            sleep=lambda seconds: self.sleep(seconds),
        )
        #: The chat whose send slot this thread booked in ``take_turn`` (its next send does not wait again).
        self._turn = threading.local()
        self.loop: LoopThread | None = None
        self.bot: Bot | None = None
        self.me: BotIdentity | None = None
        self.stopped: str | None = None
        self.webhook_error: str | None = None
        self.webhook_limits = WebhookLimits(
            TokenBuckets(self.settings.webhook_per_minute), TokenBuckets(self.settings.chat_updates_per_minute)
        )

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        telegram = settings.channels.telegram
        return channel_enabled(telegram.enabled, telegram.token)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Sign in (getMe), then register the webhook or clear it for long polling."""
        self.stopped = None
        self.loop = LoopThread("telegram")
        self.bot = make_bot(self.settings)
        try:
            self._call("getMe", self.bot.initialize())
            self.me = BotIdentity(self.bot.id, self.bot.username)
            if self.settings.mode == "webhook":
                self.ensure_webhook()
            else:
                info = self._call("getWebhookInfo", self.bot.get_webhook_info())
                if info.url:
                    log.info("telegram: removing webhook %s to use long polling", info.url)
                    self._call("deleteWebhook", self.bot.delete_webhook())
            self.ledger.set_status(RUNNING, self._running_detail())
            log.info("telegram: signed in as @%s (%s mode)", self.me.username, self.settings.mode)
        except ChannelAuthError as exc:
            self._stop(str(exc))
        except ChannelError as exc:
            log.warning("telegram: not reachable at start: %s", exc)
            self.ledger.set_status(DEGRADED, str(exc))

    def stop(self) -> None:
        if self.loop is None:
            return
        if self.bot is not None:
            try:
                self.loop.run(self.bot.shutdown(), timeout=10)
            except Exception:  # shutting down: nothing left to protect
                log.debug("telegram: shutdown", exc_info=True)
        self.loop.close()
        self.loop = None

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        log.error("telegram: channel STOPPED: %s; check TELEGRAM_TOKEN, then restart", reason)
        self.ledger.set_status(STOPPED, reason)

    def _running_detail(self) -> str:
        who = f"@{self.me.username}" if self.me else "bot"
        detail = f"{who}, {self.settings.mode}"
        return f"{detail}; webhook error: {self.webhook_error}" if self.webhook_error else detail

    # -- calls ----------------------------------------------------------------------------
    def _call(self, method: str, coroutine: Any) -> Any:
        """Run one Bot API call on the channel's loop, with Telegram's errors sorted into ours."""
        assert self.loop is not None
        try:
            return self.loop.run(coroutine, timeout=self.settings.timeout_seconds + self.settings.long_poll_seconds + 5)
        except InvalidToken as exc:
            record_call_error(self.name, CallFailure.AUTH)
            raise ChannelAuthError(f"telegram: token rejected on {method}: {exc}") from exc
        except RetryAfter:
            record_call_error(self.name, CallFailure.RATE_LIMITED)
            raise
        except TimedOut as exc:
            record_call_error(self.name, CallFailure.TIMEOUT)
            raise TelegramUnsure(f"telegram: {method} timed out") from exc
        except Forbidden as exc:  # 403: the person blocked the bot, or it may not write to this chat
            record_call_error(self.name, CallFailure.REFUSED)
            raise RecipientGone(f"telegram: {method} not allowed: {exc}") from exc
        except TelegramError as exc:
            record_call_error(self.name, _failure(exc))
            raise ChannelError(f"telegram: {method} failed: {exc}") from exc
        except TimeoutError:  # the loop gave up waiting for the call
            record_call_error(self.name, CallFailure.TIMEOUT)
            raise

    def _retrying(self, method: str, make: Any, *, safe: bool) -> Any:
        """Call ``make()`` again after RetryAfter, and after network failures when ``safe``."""
        attempt = 0
        while True:
            try:
                return self._call(method, make())
            except RetryAfter as exc:
                if attempt >= 2 * self.backoff.retries + 2:
                    raise ChannelError(f"telegram: {method} still flood-limited: {exc}") from exc
                wait = retry_after_seconds(exc)
                log.info("telegram: flood control on %s, waiting %.0fs", method, wait)
                self.pacer.hold(wait)
                self.sleep(wait)
            except TelegramUnsure:
                if not safe or attempt >= self.backoff.retries:
                    raise
                self.sleep(self.backoff.delay(attempt))
            except ChannelError as exc:
                if not (safe or _never_sent(exc)) or attempt >= self.backoff.retries or isinstance(exc, ChannelAuthError):
                    raise
                self.sleep(self.backoff.delay(attempt))
            attempt += 1

    # -- webhook --------------------------------------------------------------------------
    def ensure_webhook(self) -> None:
        """Register the webhook only when Telegram has another URL; surface its last error."""
        assert self.bot is not None
        bot = self.bot
        info = self._retrying("getWebhookInfo", bot.get_webhook_info, safe=True)
        self.webhook_error = info.last_error_message
        if self.webhook_error:
            log.warning("telegram: webhook last error: %s", self.webhook_error)
        if info.url == self.settings.webhook_url:
            return
        log.info("telegram: registering webhook %s", self.settings.webhook_url)
        self._retrying(
            "setWebhook",
            lambda: bot.set_webhook(
                url=self.settings.webhook_url or "", secret_token=self.settings.secret_token,
                allowed_updates=ALLOWED_UPDATES,
            ),
            safe=True,
        )

    def routes(self) -> list[BaseRoute]:
        """The webhook route for the main web server (only in webhook mode)."""
        if self.settings.mode != "webhook":
            return []
        return [Route(self.settings.webhook_path, self._webhook, methods=["POST"])]

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), (self.settings.secret_token or "").encode()):
            return JSONResponse({"ok": False}, status_code=403)
        wait = self.webhook_limits.per_client.take(client_address(request))
        if wait:
            return too_many(wait, "updates")
        try:
            payload = read_json(await request.body())
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise BadInput("not an update")
            wait = self.webhook_limits.per_chat.take(_chat_key(payload))
            if wait:
                return too_many(wait, "updates from this chat")
            update = Update.de_json(payload, self.bot)
        except Exception:  # noqa: BLE001 - whatever the parser makes of a bad payload, it is the sender's fault
            return JSONResponse({"ok": False, "error": "not an update"}, status_code=400)
        try:
            await run_in_threadpool(self.receive, update)
        except BadInput:
            return JSONResponse({"ok": False, "error": "this update cannot be stored"}, status_code=400)
        except Exception:  # the update is not stored: Telegram delivers it again after a 5xx
            log.exception("telegram: webhook update %s not stored", payload.get("update_id"))
            return JSONResponse({"ok": False}, status_code=500)
        return JSONResponse({"ok": True})

    # -- intake ---------------------------------------------------------------------------
    def poll(self) -> int:
        """getUpdates from the stored offset; the offset moves only after the updates are stored."""
        if self.stopped or self.bot is None:
            return 0
        bot = self.bot
        stored = 0
        try:
            for _ in range(MAX_BATCHES):
                offset = self.ledger.cursor("offset")
                updates = self._retrying(
                    "getUpdates",
                    lambda: bot.get_updates(
                        offset=int(offset) if offset else None, limit=BATCH,
                        timeout=self.settings.long_poll_seconds, allowed_updates=ALLOWED_UPDATES,
                    ),
                    safe=True,
                )
                for update in updates:
                    stored += self.receive(update)
                if updates:
                    self.ledger.set_cursor("offset", str(updates[-1].update_id + 1))
                if len(updates) < BATCH:
                    break
        except ChannelAuthError as exc:
            self._stop(str(exc))
        except ChannelError as exc:
            log.warning("telegram: poll failed, will try again: %s", exc)
            self.ledger.set_status(DEGRADED, str(exc))
        return stored

    def receive(self, update: Update) -> int:
        """Store, amend, acknowledge or let go of one update; 1 when a new message was stored."""
        if self.me is None:
            msg = "telegram: update received before the bot signed in"
            raise ChannelError(msg)
        intake = read_update(update, self.me, self.context.clock())
        if intake.kind == "store" and intake.message is not None:
            return 1 if self.context.queue.enqueue(intake.message) is not None else 0
        if intake.kind == "amend" and intake.message is not None:
            if amend(self.context.engine, intake.message):
                return 0
            return 1 if self.context.queue.enqueue(intake.message) is not None else 0
        if intake.kind == "acknowledge" and intake.callback_id and self.bot is not None:
            try:
                self._call("answerCallbackQuery", self.bot.answer_callback_query(intake.callback_id))
            except ChannelError as exc:  # a stale callback is harmless
                log.info("telegram: callback not acknowledged: %s", exc)
            return 0
        log.debug("telegram: update %s let go (%s)", update.update_id, intake.reason)
        return 0

    # -- replies --------------------------------------------------------------------------
    def post(self, reply: OutboundReply) -> PostResult:
        """Send the reply to the citizen's chat, split at 4096 characters, paced per chat.

        A private reply to a message written in a group goes to the citizen's own chat with
        the bot; when Telegram refuses (they never started the bot) it goes to the group,
        without quoting their message.
        """
        if self.stopped or self.bot is None:
            raise ChannelAuthError(f"telegram: channel stopped: {self.stopped or 'not started'}")
        chat_id = reply.extras.get("chat_id")
        if chat_id is None:
            msg = f"telegram: reply {reply.reply_id} has no chat to go to"
            raise ChannelError(msg)
        group = reply.extras.get("chat_type", PRIVATE) != PRIVATE
        quoted = reply.extras.get("message_id")
        if reply.private and group:
            try:
                return self._send(reply.text, int(reply.author), group=False, quoted=None)
            except TelegramUnsure:
                raise
            except ChannelAuthError:
                raise
            except ChannelError as exc:
                log.info("telegram: reply %s could not go to the private chat (%s); sent to the group", reply.reply_id, exc)
            return self._send(reply.text, chat_id, group=True, quoted=None)
        return self._send(reply.text, chat_id, group=group, quoted=quoted)

    def take_turn(self, reply: OutboundReply) -> None:
        """Book and wait for the send slot of ``reply``'s chat (private replies only: no fallback)."""
        chat_id = reply.extras.get("chat_id")
        if chat_id is None or reply.private:
            return
        group = reply.extras.get("chat_type", PRIVATE) != PRIVATE
        self.pacer.wait(chat_id, group=group)
        self._turn.chat = chat_id

    def _pace(self, chat_id: Any, *, group: bool) -> None:
        """Wait for a send slot, unless this thread already waited for this chat in ``take_turn``."""
        if getattr(self._turn, "chat", None) == chat_id:
            self._turn.chat = None
            return
        self._turn.chat = None
        self.pacer.wait(chat_id, group=group)

    def _send(self, text: str, chat_id: Any, *, group: bool, quoted: Any) -> PostResult:
        bot = self.bot
        assert bot is not None
        ids: list[str] = []
        try:
            for index, chunk in enumerate(split_message(text)):
                quote = ReplyParameters(quoted, allow_sending_without_reply=True) if quoted and index == 0 else None
                self._pace(chat_id, group=group)
                sent = self._retrying(
                    "sendMessage",
                    lambda chunk=chunk, quote=quote: bot.send_message(
                        chat_id=chat_id, text=chunk, parse_mode=ParseMode.HTML, reply_parameters=quote,
                    ),
                    safe=False,
                )
                self.ledger.count(calls=1, posts=1)
                ids.append(f"{chat_id}:{sent.message_id}")
        except ChannelAuthError as exc:
            self._stop(str(exc))
            raise
        return PostResult(tuple(ids))

    def find_posted(self, reply: OutboundReply) -> PostResult | None:
        """The Bot API cannot list a bot's sent messages: an unknown outcome goes to a person."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        status = self.ledger.status()
        return {
            "name": self.name,
            "account": self.me.username if self.me else None,
            "mode": self.settings.mode,
            "state": status[0] if status else None,
            "detail": status[1] if status else None,
            "webhook_error": self.webhook_error,
            "posts_today": self.ledger.usage()[1],
        }


@dataclass(frozen=True)
class WebhookLimits:
    """Webhook updates allowed per sending address and per Telegram chat."""

    per_client: TokenBuckets
    per_chat: TokenBuckets


def _chat_key(payload: dict[str, Any]) -> str:
    """The chat an update comes from (``?`` when it has none), to limit each chat on its own."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        body = payload.get(kind)
        if isinstance(body, dict) and isinstance(body.get("chat"), dict):
            return str(body["chat"].get("id"))
    return "?"


def _failure(exc: TelegramError) -> CallFailure:
    """The kind of a Bot API failure not sorted before: refused (400), unreachable or 5xx, or other."""
    if isinstance(exc, BadRequest):
        return CallFailure.REFUSED
    if isinstance(exc, NetworkError):
        return CallFailure.UNAVAILABLE
    return CallFailure.FAILED


def _never_sent(exc: ChannelError) -> bool:
    """Whether a failed call never reached Telegram (connection refused), so a retry is safe."""
    cause = exc.__cause__
    return isinstance(cause, NetworkError) and isinstance(cause.__cause__, httpx.ConnectError) and not isinstance(cause, Conflict)
