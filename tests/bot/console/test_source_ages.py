"""The case view shows the age of each source the message's reply drew on."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from bot.console.sources import source_rows
from bot.domain import DataState, SourceAge, SourceKind
from storage.db import session_scope
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages
from tests.conftest import EVAL_NOW

OLD = SourceAge(SourceKind.ALERTS, DataState.STALE, EVAL_NOW - timedelta(days=6), EVAL_NOW, 900.0)


def test_source_rows_give_each_source_its_age_when_the_message_came() -> None:
    decision = {"sources": [OLD.as_dict(), {"kind": "nonsense"}]}
    rows = source_rows(decision, EVAL_NOW)
    assert [(r.kind, r.state, r.age_seconds) for r in rows] == [("alerts", "stale", 6 * 86400.0)]


def test_a_message_routed_before_ages_were_kept_shows_none() -> None:
    assert source_rows({"intent": "status"}, EVAL_NOW) == []


def test_the_case_view_shows_a_stale_alerts_feed(anna: TestClient, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add("il 64 è in ritardo?", intent="status")
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**(row.decision or {}), "sources": [OLD.as_dict()]}
    page = anna.get(f"/console/messages/{message_id}").text
    ages = page.split('id="source-ages"')[1].split("</dd>")[0]
    assert "state-stale" in ages and "(6 d)" in ages and "21/11" in ages
