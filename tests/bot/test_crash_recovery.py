"""A worker process killed with SIGKILL mid-message: after a restart, the message is answered once."""

from __future__ import annotations

import os
import queue as queue_module
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine

from bot.domain import InboundMessage, MessageState, utcnow
from storage.queue import MessageQueue
from tests.conftest import REPO

DEADLINE = 60.0


class Process:
    """A ``sportello run --no-web`` child whose stderr lines can be awaited."""

    def __init__(self, db_url: str, **settings: str) -> None:
        env = {
            **os.environ,
            "SPORTELLO_STORAGE__URL": db_url,
            "SPORTELLO_WORKERS__COUNT": "1",
            "SPORTELLO_WORKERS__LEASE_SECONDS": "2",
            "SPORTELLO_WORKERS__IDLE_SECONDS": "0.05",
            **{f"SPORTELLO_{k.upper()}": v for k, v in settings.items()},
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--no-web", "--config", str(REPO / "config.yaml")],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue_module.Queue[str] = queue_module.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, fragment: str) -> str:
        """The first stderr line containing ``fragment`` (fails after the deadline)."""
        end = time.monotonic() + DEADLINE
        seen: list[str] = []
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.5)
            except queue_module.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if fragment in line:
                return line
        pytest.fail(f"never saw {fragment!r}; process said:\n{''.join(seen[-30:])}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@contextmanager
def running(db_url: str, **settings: str) -> Iterator[Process]:
    process = Process(db_url, **settings)
    try:
        yield process
    finally:
        process.stop()


def _wait_for_state(queue: MessageQueue, message_id: int, state: MessageState) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if queue.get(message_id).state == state:
            return
        time.sleep(0.1)
    pytest.fail(f"message {message_id} stayed {queue.get(message_id).state}, expected {state}")


def _ask(queue: MessageQueue) -> int:
    message = InboundMessage("web", "crash-1", "web:c", "il tram 8 funziona oggi?", utcnow(), thread_id="c")
    message_id = queue.enqueue(message)
    assert message_id is not None
    return message_id


@pytest.mark.parametrize("pause", ["DEBUG__PAUSE_AFTER_CLAIM", "DEBUG__PAUSE_BEFORE_FINALIZE"])
def test_killed_worker_leaves_the_message_answered_exactly_once(
    db_url: str, engine: Engine, pause: str
) -> None:
    queue = MessageQueue(engine)
    message_id = _ask(queue)
    marker = "claimed message" if "CLAIM" in pause else "posted message"
    with running(db_url, **{pause: "120"}) as doomed:
        doomed.wait_for(f"{marker} {message_id}")
        doomed.kill()
    assert queue.get(message_id).state != MessageState.AUTO_SENT
    with running(db_url):
        _wait_for_state(queue, message_id, MessageState.AUTO_SENT)
    replies = queue.replies_for(message_id)
    assert [r.status for r in replies] == ["posted"]
    states = [t.to_state for t in queue.history(message_id)]
    assert states.count("auto_sent") == 1


def test_killed_worker_leaves_the_safety_reply_posted_exactly_once(db_url: str, engine: Engine) -> None:
    queue = MessageQueue(engine)
    message = InboundMessage("web", "crash-sos", "web:s", "aiuto, un uomo è svenuto sul binario a Termini", utcnow(), thread_id="s")
    message_id = queue.enqueue(message)
    assert message_id is not None
    with running(db_url, DEBUG__PAUSE_BEFORE_FINALIZE="120") as doomed:
        doomed.wait_for("posted notice")
        doomed.kill()
    assert queue.get(message_id).state == MessageState.ESCALATED  # escalated before the post, not after
    [pending] = queue.replies_for(message_id)
    assert (pending.kind, pending.status) == ("safety", "pending")
    with running(db_url):
        end = time.monotonic() + DEADLINE
        while queue.replies_for(message_id)[0].status != "posted" and time.monotonic() < end:
            time.sleep(0.1)
    replies = queue.replies_for(message_id)
    assert [(r.kind, r.status) for r in replies] == [("safety", "posted")]
    assert queue.get(message_id).state == MessageState.ESCALATED
