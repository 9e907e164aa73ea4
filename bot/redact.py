"""No secret and no citizen's personal data reaches a log line: one filter masks both.

Secrets: the configured ones by value, and anything shaped like a token (httpx, for one, logs
each request URL at INFO, and a Telegram URL carries the bot token). Personal data: phones,
e-mails, tax codes, IBANs, cards and plates, replaced by their kind (``[telefono]``).
:func:`install` wraps the log-record factory (so every record of every logger, third-party
libraries' included, is cleaned when it is made) and adds :class:`RedactingFilter` to the root
logger and its handlers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from bot.config import SECRET_KEYS, Settings
from bot.privacy.pii import redact as mask_personal_data

MASK = "[redacted]"
#: Configured secrets shorter than this are not masked (they would mask ordinary words).
MIN_SECRET_CHARS = 6
_SHAPES = (
    # a Telegram bot token, bare or inside /bot<token>/ URLs
    (re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}"), MASK),
    # Authorization: Bearer/Basic/OAuth values
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    (re.compile(r'(?i)\b(oauth_(?:signature|token|consumer_key|nonce))="?[^",&\s]+'), r"\1=" + MASK),
    # key=value and "key": "value" pairs whose key names a secret
    (
        re.compile(r"(?i)\b((?:access_|secret_|bot_|api_|auth_)?(?:token|secret|password|passwd|api_key)=)[^&\s\"',;]+"),
        r"\1" + MASK,
    ),
    (
        re.compile(r'(?i)("(?:[a-z_]*token|[a-z_]*secret|password|secret_key)"\s*:\s*")[^"]+'),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)(x-telegram-bot-api-secret-token['\"]?\s*[:=,]\s*['\"]?)[^'\"\s,)]+"), r"\1" + MASK),
)


class Redactor:
    """Masks the configured secrets, anything shaped like a token, and personal data."""

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str | None]) -> None:
        """Mask these values too from now on."""
        fresh = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        with self._lock:
            self._secrets = tuple(sorted(set(self._secrets) | fresh, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern, replacement in _SHAPES:
            text = pattern.sub(replacement, text)
        return mask_personal_data(text)


REDACT = Redactor()


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) with secrets and personal data masked; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        clean(record)
        return True


def clean(record: logging.LogRecord) -> None:
    """Mask secrets and personal data in ``record`` in place.

    String arguments are cleaned one by one (formatters such as uvicorn's access log read them);
    when a secret still shows in the formatted message, the message replaces template and arguments.
    """
    if getattr(record, "_redacted", False):
        return
    if isinstance(record.msg, str):
        record.msg = REDACT(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(REDACT(a) if isinstance(a, str) else a for a in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {k: REDACT(v) if isinstance(v, str) else v for k, v in record.args.items()}
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a badly formatted record is logged as its template
        message = str(record.msg)
    masked = REDACT(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = REDACT(record.exc_text)
    if record.stack_info:
        record.stack_info = REDACT(record.stack_info)
    record._redacted = True  # noqa: SLF001


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value in ``settings`` (the keys of :data:`bot.config.SECRET_KEYS`)."""
    found: list[str] = []

    def walk(model: BaseModel) -> None:
        for name in type(model).model_fields:
            value: Any = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value)
            elif name in SECRET_KEYS and isinstance(value, str):
                found.append(value)

    walk(settings)
    return found


_installed = False


def install(settings: Settings | None = None, logger: logging.Logger | None = None) -> None:
    """Redact every log record from now on; with ``settings``, their secrets by value too.

    The filter goes on the handlers of ``logger`` (the root by default) as well, for records
    made before the factory was wrapped.
    """
    global _installed  # noqa: PLW0603 - logging itself is process-global
    if settings is not None:
        REDACT.add(settings_secrets(settings))
    root = logger or logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter())
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        clean(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
