"""One plain-text message to a staff chat on Telegram (the digest, a breach, an emergency), outside the channel's loop.

The report jobs and the console call this instead of the Bot API, so every Telegram call is
made, and its failures counted, in the Telegram adapter's package.
"""

from __future__ import annotations

import httpx

from bot.channels.telegram_text import MAX_LENGTH, utf16_length
from bot.config import TelegramChannelSettings
from bot.errors import ChannelAuthError, ChannelError, ConfigError
from bot.ops.call_errors import CallFailure, record_call_error

CHANNEL = "telegram"


def fit(text: str, limit: int = MAX_LENGTH) -> str:
    """``text`` cut with an ellipsis to ``limit`` UTF-16 units, as Telegram counts them."""
    if utf16_length(text) <= limit:
        return text
    while utf16_length(text) > limit - 1:
        text = text[: -max(1, (utf16_length(text) - limit + 1) // 2)]
    return text + "…"


def post_text(settings: TelegramChannelSettings, chat: str, text: str, *, client: httpx.Client | None = None) -> None:
    """Post ``text`` to ``chat`` with ``sendMessage`` (no parse mode); a failure is a ChannelError."""
    if not settings.token:
        msg = "channels.telegram.token is needed to post to a Telegram chat"
        raise ConfigError(msg)
    url = f"{settings.base_url}{settings.token}/sendMessage"
    try:
        http = client or httpx.Client(timeout=settings.timeout_seconds)
        try:
            response = http.post(url, json={"chat_id": chat, "text": fit(text)})
        finally:
            if client is None:
                http.close()
        json_body = response.headers.get("content-type", "").startswith("application/json")
        body = response.json() if json_body else {}
    except httpx.TimeoutException as exc:
        record_call_error(CHANNEL, CallFailure.TIMEOUT)
        msg = f"could not send to Telegram: {type(exc).__name__}"
        raise ChannelError(msg) from exc
    except (httpx.HTTPError, ValueError) as exc:
        record_call_error(CHANNEL, CallFailure.UNAVAILABLE)
        msg = f"could not send to Telegram: {type(exc).__name__}"
        raise ChannelError(msg) from exc
    if response.status_code == 200 and body.get("ok"):
        return
    record_call_error(CHANNEL, _failure(response.status_code))
    msg = f"Telegram refused the message: HTTP {response.status_code} {body.get('description', '')}".strip()
    raise (ChannelAuthError if response.status_code == 401 else ChannelError)(msg)


def _failure(status: int) -> CallFailure:
    if status == 401:
        return CallFailure.AUTH
    if status == 429:
        return CallFailure.RATE_LIMITED
    if status >= 500:
        return CallFailure.UNAVAILABLE
    return CallFailure.REFUSED
