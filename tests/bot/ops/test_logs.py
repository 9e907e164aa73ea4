"""Logs: JSON on request with the case and message ids, an access log without the chat's polling."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from bot.channels.base import ChannelContext
from bot.channels.web import WebChannel
from bot.config import LoggingSettings, Settings
from bot.domain import InboundMessage
from bot.ops.logs import IdsFilter, JsonFormatter, QuietAccess, log_ids
from bot.worker import Worker
from storage.queue import MessageQueue
from tests.bot.console.live import free_port
from tests.conftest import REPO, FixedClock


@pytest.fixture
def json_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    logger = logging.getLogger("tests.ops.json")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(IdsFilter())
    logger.addHandler(handler)
    yield logger, out
    logger.removeHandler(handler)


def _records(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_json_line_carries_the_ids_of_the_message_in_hand(json_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = json_lines
    with log_ids(message_id=41, case_id=7):
        logger.warning("reply for line %s held", "64")
    logger.info("outside")
    inside, outside = _records(out)
    assert inside["message"] == "reply for line 64 held" and inside["level"] == "WARNING"
    assert (inside["message_id"], inside["case_id"]) == (41, 7)
    assert "message_id" not in outside and outside["logger"] == "tests.ops.json"


def test_a_json_line_keeps_a_traceback_and_extra_fields(json_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = json_lines
    try:
        raise ValueError("broken")
    except ValueError:
        logger.exception("failed", extra={"channel": "web"})
    (entry,) = _records(out)
    assert "ValueError: broken" in str(entry["exc"]) and entry["channel"] == "web"


class _Broken:
    def decide(self, message: object) -> object:
        raise RuntimeError("router exploded")


def test_a_worker_failure_is_logged_with_its_message_and_case(
    engine: Engine, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    queue = MessageQueue(engine, clock=clock)
    web = WebChannel(ChannelContext(Settings(), queue, engine, clock))
    message_id = queue.enqueue(InboundMessage("web", "1", "web:c", "il 64?", clock(), thread_id="c"))
    worker = Worker("w-test", queue, _Broken(), {"web": web})  # type: ignore[arg-type]
    caplog.handler.addFilter(IdsFilter())
    with caplog.at_level(logging.ERROR, logger="bot.worker"):
        worker.run_once()
    failed = [r for r in caplog.records if "failed" in r.getMessage()]
    assert failed and failed[0].message_id == message_id  # type: ignore[attr-defined]
    assert failed[0].case_id == queue.get(message_id).case_id is not None  # type: ignore[attr-defined]


class _Reader:
    def decide(self, message: object) -> object:
        from bot.domain import Action, Decision, DraftReply, Intent

        return Decision(intent=Intent.COMPLAINT, lang="it"), DraftReply(text="", lang="it", action=Action.REVIEW)


def test_every_routed_message_leaves_one_line_with_its_ids_and_where_it_went(
    engine: Engine, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    queue = MessageQueue(engine, clock=clock)
    web = WebChannel(ChannelContext(Settings(), queue, engine, clock))
    message_id = queue.enqueue(InboundMessage("web", "1", "web:c", "autista maleducato sul 40", clock(), thread_id="c"))
    worker = Worker("w-test", queue, _Reader(), {"web": web})  # type: ignore[arg-type]
    caplog.handler.addFilter(IdsFilter())
    with caplog.at_level(logging.INFO, logger="bot.worker"):
        worker.run_once()
    (routed,) = [r for r in caplog.records if hasattr(r, "state")]
    assert routed.message_id == message_id and routed.case_id == queue.get(message_id).case_id  # type: ignore[attr-defined]
    assert (routed.intent, routed.action, routed.state) == ("complaint", "review", "awaiting_review")  # type: ignore[attr-defined]
    assert "maleducato" not in routed.getMessage()


def test_the_polled_paths_are_quiet_unless_they_fail() -> None:
    quiet = QuietAccess(LoggingSettings().quiet_paths)
    assert quiet.quiet("GET", "/api/chat", 200)
    assert quiet.quiet("GET", "/api/chat/abc-123?after=4", 200)
    assert quiet.quiet("GET", "/console/api/queue?order=urgency", 200)
    assert not quiet.quiet("GET", "/api/chat", 401)
    assert not quiet.quiet("POST", "/api/chat", 202)
    assert not quiet.quiet("GET", "/console/", 200)
    assert not quiet.quiet("GET", "/api/chatter", 200)


def test_a_run_logs_json_without_polling_noise_and_serves_metrics_and_health(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SPORTELLO_WEB__PORT": str(port),
        "SPORTELLO_LOGGING__FORMAT": "json",
        "SPORTELLO_METRICS__ENABLED": "true",
    }
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    log_file = tmp_path / "run.log"
    base = f"http://127.0.0.1:{port}"
    with log_file.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            with httpx.Client(base_url=base, timeout=10) as http:
                deadline = time.monotonic() + 90
                while True:
                    try:
                        health = http.get("/health")
                        if health.json()["status"] != "starting":  # 503 while the workers load the reader
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or proc.poll() is not None:
                        pytest.fail("sportello run did not start serving")
                    time.sleep(0.2)
                token = http.post("/api/chat/conversations", json={}).json()["token"]
                bearer = {"Authorization": f"Bearer {token}"}
                assert http.post("/api/chat", json={"text": "il tram 8 funziona oggi?"}, headers=bearer).status_code == 202
                while not any(m["role"] == "bot" for m in http.get("/api/chat", headers=bearer).json()["messages"]):
                    assert time.monotonic() < deadline, "no answer"
                    time.sleep(0.2)
                assert http.get("/api/chat/no-such-conversation").status_code >= 400
                metrics = http.get("/metrics")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert health.status_code == 200 and health.json()["components"]["workers"] == "ok"
    names = {f.name for f in text_string_to_metric_families(metrics.text)}
    assert {"sportello_queue_depth", "sportello_messages_in", "sportello_reply_latency_seconds"} <= names
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry["logger"] == "uvicorn.access"]
    assert any(e["method"] == "POST" and e["path"] == "/api/chat" for e in access)
    assert any(e["method"] == "GET" and e["status"] >= 400 for e in access)  # a failed poll is kept
    assert not [e for e in access if e["method"] == "GET" and e["status"] < 400 and e["path"].startswith("/api/chat")]
    routed = [e for e in lines if e["logger"] == "bot.worker" and "state" in e]
    assert routed and all(isinstance(e["message_id"], int) and isinstance(e["case_id"], int) for e in routed)
    assert "tram 8" not in json.dumps(routed)  # the line says where a message went, never what it said
    others = [line for line in log_file.read_text(encoding="utf-8").splitlines() if line and not line.startswith("{")]
    assert all(line.startswith("sportello: ") for line in others)  # only the operator's banner lines


def test_outbound_requests_are_not_logged_one_by_one() -> None:
    """Polling Telegram or a feed every few seconds would fill the log with one line per request."""
    from bot.ops.logs import configure

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    names = ("httpx", "httpcore", "apscheduler", "alembic")
    levels = {name: logging.getLogger(name).level for name in names}
    try:
        configure(LoggingSettings())
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
        assert logging.getLogger("knowledge.feeds").isEnabledFor(logging.INFO)
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
        for name, before in levels.items():
            logging.getLogger(name).setLevel(before)
