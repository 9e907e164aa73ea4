"""``sportello run`` over HTTP with a stale alerts feed: the web chat never gets "no disruptions" alone."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge.alerts import parse_feed
from tests.bot.test_run_command import _free_port, _get, _post
from tests.conftest import REPO

SAMPLE_ALERTS = REPO / "knowledge" / "sample" / "alerts.textproto"


def _stale_feed(path: Path) -> None:
    """The sample alerts as a feed published six days ago, without the 64's (so it would say "no disruptions")."""
    feed = parse_feed(SAMPLE_ALERTS.read_text(encoding="utf-8"))
    feed.header.timestamp = int((datetime.now(timezone.utc) - timedelta(days=6)).timestamp())
    path.write_bytes(feed.SerializeToString())


def _routed(db: Path, deadline: float) -> tuple[str, str, dict[str, object]]:
    """The citizen's message once the worker has routed it: state, draft, decision."""
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT state, draft, decision FROM messages WHERE text LIKE 'il 64%'").fetchone()
        except sqlite3.OperationalError:
            row = None
        if row and row[0] not in ("received", "routed"):
            return row[0], row[1], json.loads(row[2])
        time.sleep(0.1)
    pytest.fail("the message was not routed")


STAFF_PASSWORD = "live-run-password"


def _staff_health(base: str) -> dict[str, Any]:
    """``/health`` tells the public each part's status only: the details are read signed in, at /console/api/health."""
    with httpx.Client(base_url=base, timeout=10) as staff:
        csrf = re.search(r'name="csrf" value="([^"]+)"', staff.get("/console/login").text)
        assert csrf is not None
        staff.post("/console/login", data={"username": "anna", "password": STAFF_PASSWORD, "csrf": csrf.group(1)})
        details: dict[str, Any] = staff.get("/console/api/health").json()
        return details


def test_a_stale_feed_sends_the_status_question_to_a_person(tmp_path: Path) -> None:
    port = _free_port()
    feed = tmp_path / "alerts.pb"
    _stale_feed(feed)
    db = tmp_path / "run.db"
    env = {
        **os.environ,
        "SPORTELLO_STORAGE__URL": f"sqlite:///{db}",
        "SPORTELLO_WEB__PORT": str(port),
        "SPORTELLO_KNOWLEDGE__ALERTS__SOURCE": str(feed),
        "SPORTELLO_KNOWLEDGE__ALERTS__MAX_AGE_SECONDS": "900",
    }
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "bot.cli", "users", "add", "anna", "--role", "agent"], cwd=REPO, env=env,
                   input=STAFF_PASSWORD + "\n", text=True, check=True, capture_output=True)
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
                pytest.fail("/health said ok with a stale alerts feed")
            except urllib.error.HTTPError as answer:  # served: 503, the feed named as down
                assert answer.code == 503
                said = json.loads(answer.read())
                if said["status"] == "starting" and "feed:alerts" not in said["components"]:
                    time.sleep(0.2)  # the application is still being built
                    continue
                assert said["components"]["feed:alerts"] == "down"
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("sportello run did not start serving")
                time.sleep(0.2)
        assert _staff_health(base)["knowledge"]["alerts"]["state"] == "stale"
        token = _post(f"{base}/api/chat/conversations", {})["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        _post(f"{base}/api/chat", {"text": "il 64 è in ritardo?"}, bearer)
        state, draft, decision = _routed(db, deadline)
        sources = {s["kind"]: s for s in decision["sources"]}
        assert (state, sources["alerts"]["state"]) == ("awaiting_review", "stale")
        assert "non risultano disservizi" not in draft and "non sono aggiornate" in draft
        said = [m["text"] for m in _get(f"{base}/api/chat", bearer)["messages"] if m["role"] == "bot"]
        assert not any("disservizi" in text or "aggiornat" in text for text in said)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
