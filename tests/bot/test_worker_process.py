"""Workers in their own process beside the web server: their heartbeats, and their end with the parent."""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.ops.call_errors import SLOTS, CallFailure, copy_counts
from bot.worker_process import ORPHAN_STOP_SECONDS, STARTING_BEAT, ParentWatch, WorkerProcess
from tests.bot.test_run_command import _free_port, _get
from tests.conftest import REPO

DEADLINE = 90.0
#: From the parent's kill to the child's end: its bounded stop, and room for a loaded machine.
ORPHAN_DEADLINE = ORPHAN_STOP_SECONDS + 10.0


@dataclass
class _Process:
    """The two things a parent asks of a child process."""

    pid: int
    alive: bool

    def is_alive(self) -> bool:
        return self.alive


def test_a_child_reports_each_worker_alive_with_its_last_beat() -> None:
    child = WorkerProcess(_Process(4242, True), [12.5, -1.0], threads=2)  # type: ignore[arg-type]
    first, second = child.pulses()
    assert (first.alive, first.beat_at, first.name.endswith(":4242:0")) == (True, 12.5, True)
    assert (second.alive, second.name.endswith(":4242:1")) == (False, True)


def test_a_child_loading_the_reader_reports_its_workers_starting() -> None:
    child = WorkerProcess(_Process(4242, True), [STARTING_BEAT, STARTING_BEAT], threads=2)  # type: ignore[arg-type]
    assert [(p.alive, p.starting) for p in child.pulses()] == [(True, True), (True, True)]
    gone = WorkerProcess(_Process(4242, False), [STARTING_BEAT], threads=1)  # type: ignore[arg-type]
    assert [(p.alive, p.starting) for p in gone.pulses()] == [(False, False)]


def test_a_dead_child_reports_its_workers_dead() -> None:
    child = WorkerProcess(_Process(4242, False), [12.5], threads=1)  # type: ignore[arg-type]
    assert [p.alive for p in child.pulses()] == [False]
    stopped = WorkerProcess(_Process(4242, True), [-math.inf], threads=1)  # type: ignore[arg-type]
    assert [p.alive for p in stopped.pulses()] == [False]


def test_a_childs_failed_platform_calls_are_read_from_its_shared_counts() -> None:
    shared = [0] * len(SLOTS)
    copy_counts({("telegram", CallFailure.TIMEOUT): 2}, shared)
    child = WorkerProcess(_Process(4242, True), [12.5], threads=1, errors=shared)  # type: ignore[arg-type]
    assert child.call_errors() == {("telegram", CallFailure.TIMEOUT): 2}
    assert WorkerProcess(_Process(4242, True), [12.5], threads=1).call_errors() == {}  # type: ignore[arg-type]


def test_a_child_stops_and_ends_once_its_parents_end_of_the_lifeline_closes() -> None:
    watched, lifeline = multiprocessing.Pipe(duplex=False)
    stop, ended = threading.Event(), threading.Event()
    watch = ParentWatch(watched, stop, end=ended.set)
    watch.start()
    assert (stop.is_set(), ended.is_set()) == (False, False)
    lifeline.close()
    assert stop.wait(DEADLINE)
    watch.finished.set()  # the child's workers and scheduler have stopped
    watch.thread.join(DEADLINE)
    assert ended.is_set()
    watched.close()


def _worker_children(parent: int) -> list[int]:
    """The parent's children that run workers (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Still the worker process (a reaped or zombie process has no command line)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")
def test_a_killed_web_server_takes_its_worker_process_along(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}", "SPORTELLO_WEB__PORT": str(port)}
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                health = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("sportello run did not start serving")
                time.sleep(0.2)
        assert health["components"]["workers"] == "ok"  # type: ignore[index]
        children = _worker_children(proc.pid)
        assert len(children) == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        orphaned_until = time.monotonic() + ORPHAN_DEADLINE
        while any(_running(child) for child in children):
            if time.monotonic() > orphaned_until:
                pytest.fail("the worker process outlived its parent")
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
