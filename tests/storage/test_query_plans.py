"""The hot path's statements use their indexes: a full scan or a sort of the queue would grow with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from bot.channels.base import ChannelContext
from bot.channels.pipeline import channel_pipeline
from bot.channels.web import WebChannel
from bot.config import Settings
from bot.domain import InboundMessage
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.web import conversations
from bot.web.server import build_web_app
from bot.worker import Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.queue import MessageQueue
from tests.conftest import FixedClock

#: Tables that grow with the traffic: never read whole on the hot path.
GROWING = ("messages", "cases", "replies", "transitions", "problems")
QUESTIONS = ["il tram 8 funziona oggi?", "quanto costa il biglietto?", "autista maleducato sul 64"]


@pytest.fixture
def hot_statements(engine: Engine, clock: FixedClock) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT and UPDATE run while a citizen writes, a worker answers and the chat is read."""
    settings = Settings()
    queue = MessageQueue(engine, clock=clock)
    knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
    writer = ReplyWriter(knowledge, settings)
    inner = RoutingPipeline(Router(knowledge, settings=settings), writer, clock=clock)
    pipeline = channel_pipeline(inner, knowledge, writer, settings, engine, clock)
    web = WebChannel(ChannelContext(settings, queue, engine, clock))
    worker = Worker("w", queue, pipeline, {"web": web, "telegram": web}, claim_batch=2)
    token = conversations.new_token()  # the citizen's own conversation is one of seven
    threads = [f"c{n}" for n in range(7)]
    threads[3] = conversations.conversation_id(token)
    bearer = {"Authorization": f"Bearer {token}"}
    for i in range(40):  # earlier traffic, some of it already answered
        thread = threads[i % 7]
        queue.enqueue(InboundMessage("web", f"old{i}", f"web:{thread}", QUESTIONS[i % 3], clock(), thread_id=thread))
    for _ in range(10):
        worker.run_once()
    client = TestClient(build_web_app(settings, engine, queue, clock=clock))
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
            seen.append((statement, parameters[0] if many and parameters else parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        posted = client.post("/api/chat", json={"text": "il tram 8 funziona oggi?"}, headers=bearer)
        assert posted.status_code == 202
        while worker.run_once():
            pass
        assert client.get("/api/chat", headers=bearer).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    yield seen


def _plans(engine: Engine, statements: list[tuple[str, Any]]) -> dict[str, str]:
    plans: dict[str, str] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            # Tables this small would be scanned and sorted whatever the indexes; with those plans
            # priced out, a scan or a sort still chosen means no index can serve the statement.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET {setting} = off")
        for statement, parameters in statements:
            if statement in plans:
                continue
            if engine.dialect.name == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plans[statement] = "\n".join(str(row[-1]) for row in cursor.fetchall())
            else:
                cursor.execute("EXPLAIN " + statement, parameters)
                plans[statement] = "\n".join(str(row[0]) for row in cursor.fetchall())
        raw.rollback()
        if engine.dialect.name == "postgresql":
            cursor.execute("RESET ALL")
    finally:
        raw.close()
    return plans


def _full_scans(plan: str, dialect: str) -> list[str]:
    if dialect == "sqlite":
        pattern = re.compile(rf"^SCAN ({'|'.join(GROWING)})$", re.M)
    else:
        pattern = re.compile(rf"Seq Scan on ({'|'.join(GROWING)})\b")
    return pattern.findall(plan)


def test_no_hot_statement_reads_a_growing_table_whole(engine: Engine, hot_statements: list[tuple[str, Any]]) -> None:
    plans = _plans(engine, hot_statements)
    assert len(plans) >= 5
    scans = {sql: _full_scans(plan, engine.dialect.name) for sql, plan in plans.items()}
    assert {sql: found for sql, found in scans.items() if found} == {}


def test_the_claim_walks_the_work_index_in_order_without_sorting(
    engine: Engine, hot_statements: list[tuple[str, Any]]
) -> None:
    plans = _plans(engine, hot_statements)
    claims = [plan for sql, plan in plans.items() if sql.lstrip().upper().startswith("UPDATE") and "lease_owner=" in sql.replace(" ", "") and "LIMIT" in sql.upper()]
    assert claims, "no claim statement was run"
    for plan in claims:
        assert "ix_messages_work" in plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan
