"""Log lines as text or JSON, carrying the case and message a line is about; a quieter access log.

A worker handling a message wraps it in :func:`log_ids`, so every record made meanwhile (its
own, the router's, a channel library's) carries ``message_id`` and ``case_id``. The JSON shape
puts them in fields; the text shape appends them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from bot import redact
from bot.config import LoggingSettings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(ids)s"
ACCESS_LOGGER = "uvicorn.access"
_MESSAGE_ID: ContextVar[int | None] = ContextVar("message_id", default=None)
_CASE_ID: ContextVar[int | None] = ContextVar("case_id", default=None)
#: Attributes every LogRecord has: the rest came from ``extra=`` and go into the JSON object.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "ids", "_redacted", "message_id", "case_id", "color_message"}


@contextmanager
def log_ids(*, message_id: int | None = None, case_id: int | None = None) -> Iterator[None]:
    """Every record made inside carries these ids (per thread and per task)."""
    tokens = (_MESSAGE_ID.set(message_id), _CASE_ID.set(case_id))
    try:
        yield
    finally:
        _MESSAGE_ID.reset(tokens[0])
        _CASE_ID.reset(tokens[1])


class IdsFilter(logging.Filter):
    """Puts the current message and case ids on a record (unless it brought its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("message_id", _MESSAGE_ID), ("case_id", _CASE_ID)):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        shown = [f"{n}={getattr(record, n)}" for n in ("case_id", "message_id") if getattr(record, n) is not None]
        record.ids = f" [{' '.join(shown)}]" if shown else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, ids, request fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("case_id", "message_id"):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, _version, status = record.args
            entry.update(client=client, method=method, path=path, status=status)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class QuietAccess(logging.Filter):
    """Leaves successful GETs of the polled paths (the chat page every 1.5 s, the console) out of the access log."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__()
        self.exact = frozenset(p for p in paths if not p.endswith("*"))
        self.prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))

    def quiet(self, method: str, path: str, status: int) -> bool:
        """Whether a request is polling noise."""
        if method != "GET" or status >= 400:
            return False
        bare = path.split("?", 1)[0]
        return bare in self.exact or bare.startswith(self.prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, _version, status = args
            if isinstance(status, int) and self.quiet(str(method), str(path), status):
                return False
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (tests swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(settings: LoggingSettings | None = None, *, verbose: bool = False) -> logging.Handler:
    """One handler on the root logger, on standard error, in the configured shape, redacting.

    Called again (once the configuration is read) it replaces the handler it put there before.
    """
    settings = settings or LoggingSettings()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_sportello", False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler._sportello = True  # type: ignore[attr-defined]  # noqa: SLF001
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(IdsFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apscheduler", "alembic", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    access = logging.getLogger(ACCESS_LOGGER)
    for old in [f for f in access.filters if isinstance(f, QuietAccess)]:
        access.removeFilter(old)
    access.addFilter(QuietAccess(settings.quiet_paths))
    redact.install()
    return handler
