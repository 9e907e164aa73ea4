"""Idle workers are woken when a message is stored, in this process or (PostgreSQL) in another."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from bot.domain import InboundMessage
from storage.db import make_engine
from storage.queue import MessageQueue
from storage.wakeup import listen_for_work
from tests.conftest import FixedClock


def test_a_message_stored_by_another_process_wakes_the_listener(db_url: str, engine: Engine, clock: FixedClock) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no notifications; its workers look every idle_seconds")
    arrived, stopping = threading.Event(), threading.Event()
    listener = threading.Thread(target=listen_for_work, args=(engine, arrived, stopping), daemon=True)
    listener.start()
    other = make_engine(db_url)  # another process's engine and queue
    try:
        ready = threading.Event()
        # Store until the listener has subscribed: the first message may come before LISTEN.
        for i in range(50):
            MessageQueue(other, clock=clock).enqueue(InboundMessage("web", f"n{i}", "a", "ciao", clock(), thread_id="t"))
            if arrived.wait(0.2):
                ready.set()
                break
        assert ready.is_set()
    finally:
        stopping.set()
        listener.join(timeout=5)
        other.dispose()
