"""``sportello run`` with the repository's config.yaml: the web chat answers a citizen."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None) -> dict[str, object]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:  # noqa: S310 - local test server
        return json.loads(response.read())


def _post(url: str, body: dict[str, object], headers: dict[str, str] | None = None) -> dict[str, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


def test_the_web_chat_answers_a_question(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SPORTELLO_WEB__PORT": str(port),
    }
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/health")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("sportello run did not start serving")
                time.sleep(0.2)
        token = _post(f"{base}/api/chat/conversations", {})["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        _post(f"{base}/api/chat", {"text": "il tram 8 funziona oggi?"}, bearer)
        while True:
            messages = _get(f"{base}/api/chat", bearer)["messages"]
            assert isinstance(messages, list)
            if any(m["role"] == "bot" for m in messages):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no answer in the conversation: {messages}")
            time.sleep(0.2)
        reply = [m for m in messages if m["role"] == "bot"][0]
        assert "8BUS" in reply["text"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
