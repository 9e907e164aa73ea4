"""``sportello run``'s start: the port bound and answering at once, the application built behind it.

The web server starts with nothing but the settings read. Until the application is built (storage
opened, knowledge read, console and public pages set up), ``/health`` says ``starting`` with a 503
and every other request waits for it (at most :data:`HOLD_SECONDS`), so a message sent in those
seconds is stored as soon as the intake is there, not refused. Once built, ``/health`` is the
application's own, which says ``starting`` too while the workers load their reader.

Kept light on purpose: this module imports only the standard library and uvicorn; the application
is imported by the thread that builds it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import uvicorn

from bot.config import Settings
from bot.errors import ConfigError

log = logging.getLogger(__name__)

#: Longest a request waits for the application before it is answered 503 (seconds).
HOLD_SECONDS = 120.0
#: What ``/health`` says before the application is built.
STARTING = {"ok": False, "status": "starting", "components": {}}

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class StartingApp:
    """An ASGI application that is the built one once ``built`` holds it, and a starting answer before."""

    def __init__(self, built: Future[Any], *, hold_seconds: float = HOLD_SECONDS) -> None:
        self.built = built
        self.hold_seconds = hold_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the request to the built application, or answer for it while it is built."""
        if self.built.done() and self.built.exception() is None:
            await self.built.result()(scope, receive, send)
            return
        if scope["type"] not in ("http", "websocket"):
            return
        if scope["type"] == "http" and scope["path"] == "/health":
            await _answer(send, 503, STARTING)
            return
        try:
            app = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self.built)), self.hold_seconds)
        except Exception:  # noqa: BLE001 - not built (in time, or at all): the client may try again
            if scope["type"] == "http":
                await _answer(send, 503, STARTING, retry_after=5)
            return
        await app(scope, receive, send)


async def _answer(send: Send, status: int, body: dict[str, Any], *, retry_after: int | None = None) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
               (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def bind_web(host: str, port: int) -> socket.socket:
    """The web server's socket, bound before anything starts: a busy port is said first, and plainly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        msg = (
            f"web.port: cannot listen on {host}:{port} ({exc.strerror or exc}); another process holds it: "
            "stop it, or set another web.port (SPORTELLO_WEB__PORT)"
        )
        raise ConfigError(msg) from exc
    return sock


class Start:
    """The web server serving at once, and the application built, warmed and started behind it."""

    def __init__(self, settings: Settings, *, workers: int | None, worker_processes: int, verbose: bool) -> None:
        self.settings = settings
        self.options = {"workers": workers, "worker_processes": worker_processes, "verbose": verbose}
        self.built: Future[Any] = Future()
        self.application: Any = None  # bot.app.Application, once built
        self.failure: BaseException | None = None
        self.stopping = threading.Event()
        self.server: uvicorn.Server | None = None

    def run(self) -> None:
        """Bind, serve, build; until SIGINT/SIGTERM. A failure to build ends the server and is raised."""
        web = self.settings.web
        listening = bind_web(web.host, web.port)
        # log_config=None: uvicorn's records go to the root's handler (shape, redaction, quiet paths).
        config = uvicorn.Config(
            StartingApp(self.built), host=web.host, port=web.port, log_level="info", lifespan="off",
            log_config=None, access_log=self.settings.logging.access_log,
        )
        self.server = uvicorn.Server(config)
        builder = threading.Thread(target=self._build, name="start", daemon=True)
        builder.start()
        # uvicorn re-raises a signal it caught once it has shut down: a handler of ours keeps the
        # default one (which ends the process at once) from skipping the application's stop
        # (the workers finish their message; the semaphores shared with worker processes are released).
        previous = signal.signal(signal.SIGTERM, lambda *_: None)
        try:
            self.server.run(sockets=[listening])
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stopping.set()
            builder.join()
            if self.application is not None:
                self.application.stop()
        if self.failure is not None:
            raise self.failure
        announce("stopped")

    def _build(self) -> None:
        try:
            from bot.app import Application

            application = Application(self.settings, web=True, **self.options)  # type: ignore[arg-type]
            self.application = application
            web = self.settings.web
            if not web.secret_key:
                log.warning("web.secret_key is not set: console sessions end when the process stops")
            if self.stopping.is_set():
                return
            application.start_worker_processes()  # their start overlaps the rest of this one
            self.built.set_result(application.web_app())
            announce(f"web chat on http://{web.host}:{web.port}")
            application.warm()
            if not self.stopping.is_set():
                application.start_background()
        except BaseException as exc:  # noqa: BLE001 - said by the main thread once the server has stopped
            self.failure = exc
            if not self.built.done():
                self.built.set_exception(exc)
            if self.server is not None:
                self.server.should_exit = True


def serve(settings: Settings, *, workers: int | None, worker_processes: int, verbose: bool) -> None:
    """``sportello run`` with its web server (see the module's docstring)."""
    Start(settings, workers=workers, worker_processes=worker_processes, verbose=verbose).run()


def announce(line: str) -> None:
    """A line for operators (and crash tests) on stderr, flushed at once."""
    print(f"sportello: {line}", file=sys.stderr, flush=True)
