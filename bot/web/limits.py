"""Limits on what one client may send: body size before parsing, and token-bucket rate limits.

The buckets live in the process: several ``sportello run`` processes each keep their own, so
behind a load balancer a client may get up to N times the configured rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The most clients (or conversations) one set of buckets remembers; the least recent go first.
MAX_KEYS = 20_000


class BodyTooLarge(Exception):  # noqa: N818 - raised inside receive(), caught by BodyLimit
    """The request body grew past the cap while it was being read."""


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413 before any parser reads them.

    A ``Content-Length`` over the cap is refused at once; a body without one (chunked) is
    counted as it arrives and cut off when it passes the cap.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"error": f"the request body is larger than {self.max_bytes} bytes"},
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class TokenBuckets:
    """One token bucket per key: ``per_minute`` tokens a minute, at most ``per_minute`` saved up."""

    def __init__(
        self, per_minute: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS
    ) -> None:
        self.capacity = max(per_minute, 1.0)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, run uvicorn with ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


def too_many(wait: float, what: str) -> JSONResponse:
    """429 with ``Retry-After`` in whole seconds."""
    seconds = max(1, math.ceil(wait))
    return JSONResponse(
        {"error": f"too many {what}; try again in {seconds} s", "retry_after": seconds},
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


def first_wait(*checks: tuple[TokenBuckets, str]) -> float:
    """Spend a token in each bucket; the longest wait among them (0.0 when all allow)."""
    return max((buckets.take(key) for buckets, key in checks), default=0.0)

