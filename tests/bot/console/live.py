"""A real sportello process for browser tests: workers, web chat and console on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import httpx
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


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's headless chromium under Playwright, closed afterwards."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(browser: Any, url: str, name: str, password: str, **context: Any) -> Any:
    """A page of a new browser context, signed in to the console as ``name``, its queue on screen."""
    page = browser.new_context(**context).new_page()
    page.context.set_default_timeout(10_000)
    page.goto(f"{url}/console/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_selector("#queue", state="attached")
    page.wait_for_load_state("load")  # the console's script, at the end of the page, has run
    return page


def say_in_chat(service: ServedApplication, text: str) -> tuple[str, int]:
    """A citizen writes in the web chat; wait until a worker has routed it. Its token and message id."""
    url = f"http://127.0.0.1:{service.port}"
    token = httpx.post(f"{url}/api/chat/conversations").json()["token"]
    response = httpx.post(f"{url}/api/chat", json={"text": text}, headers={"Authorization": f"Bearer {token}"})
    message_id = response.json()["message_id"]
    wait_until(lambda: service.app.queue.get(message_id).state not in ("received", "routed"))
    return token, message_id
