"""``sportello run`` with the repository's config.yaml: the web chat answers a citizen."""

from __future__ import annotations

import json
import os
import signal
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


def test_sigterm_stops_the_workers_and_the_process_cleanly(tmp_path: Path) -> None:
    """A service manager stops sportello with SIGTERM: the workers finish, the process says it
    stopped and ends with 0, and nothing shared with the worker processes is left behind."""
    port = _free_port()
    env = {**os.environ, "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}", "SPORTELLO_WEB__PORT": str(port)}
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(f"http://127.0.0.1:{port}/health")
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        pytest.fail("sportello run did not start serving")
                    time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text[-2000:]
    assert "sportello: stopped" in text and "leaked" not in text


def test_a_busy_port_is_reported_before_any_banner(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    env = {**os.environ, "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}", "SPORTELLO_WEB__PORT": str(port)}
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    try:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120)
    finally:
        holder.close()
    assert done.returncode == 2
    assert f"sportello: web.port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "web chat on" not in done.stderr and "worker" not in done.stderr


def test_scripts_run_installs_only_when_pyproject_changes(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "run"
    script.write_text((REPO / "scripts" / "run").read_text(encoding="utf-8"), encoding="utf-8")
    script.chmod(0o755)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "calls.log"
    for name, line in (("pip", "pip $*"), ("sportello", "sportello $*"), ("python", "python $*")):
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{line}" >> "{log}"\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)

    def installs_on_run() -> int:
        before = log.read_text(encoding="utf-8") if log.exists() else ""
        subprocess.run([str(script), "--workers", "1"], check=True, timeout=60)
        calls = log.read_text(encoding="utf-8")[len(before):].splitlines()
        assert calls[-1] == "sportello run --workers 1"
        return sum(1 for c in calls if c.startswith("pip install") and "-e ." in c)

    assert installs_on_run() == 1  # no stamp yet
    assert installs_on_run() == 0  # nothing changed
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\ndependencies = ['y']\n", encoding="utf-8")
    assert installs_on_run() == 1
