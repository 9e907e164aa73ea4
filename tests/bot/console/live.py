"""A real sportello process for browser tests: workers, web chat and console on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import uvicorn

from bot.app import Application
from bot.config import Settings

#: Chromium flags for a headless run on a CI machine with no sandbox and no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], Any], *, timeout: float = 15.0, every: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            msg = f"condition not met within {timeout} s"
            raise AssertionError(msg)
        time.sleep(every)


class ServedApplication:
    """An :class:`Application` with its workers started and its web app served by uvicorn in a thread."""

    port: int
    settings: Settings

    def _serve(self, settings: Settings) -> None:
        self.settings = settings
        self.app = Application(settings)
        config = uvicorn.Config(
            self.app.web_app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def start(self) -> Self:
        """Start the workers, then serve; return once the port answers."""
        self.app.start_background()
        self.thread.start()
        wait_until(lambda: self.server.started, timeout=20)
        return self

    def stop(self) -> None:
        """Stop serving, then stop the workers."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.stop()


class LiveService(ServedApplication):
    """``sportello run`` in this process: one worker thread and uvicorn in another thread."""

    def __init__(self, db_url: str, *, auto_answers: bool = False, **console: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._serve(Settings(
            storage={"url": db_url},
            web={"host": "127.0.0.1", "port": self.port, "secret_key": "browser-test-secret"},
            workers={"count": 1, "idle_seconds": 0.05},
            policy={"auto_enabled": auto_answers},
            console={"poll_seconds": 0.5, **console},
        ))
