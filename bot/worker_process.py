"""Workers in processes of their own beside the web server, so the chat intake never waits behind routing.

``sportello run`` serves HTTP in its own process and starts ``workers.processes`` children
that each run ``workers.count`` worker threads (and the scheduler, like any ``sportello run``
process: shared jobs are leased, so each runs once). A message stored by the web server wakes
the children at once (a shared event; on PostgreSQL ``NOTIFY`` as well). The children report
their workers' heartbeats and failed platform calls to the parent, which /health and /metrics
read; a child ends with its parent, even when the parent is killed.
"""

from __future__ import annotations

import ctypes
import logging
import math
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

from bot.config import Settings
from bot.ops.call_errors import CALL_ERRORS, SLOTS, CallFailure, copy_counts, shared_counts
from bot.ops.health import Pulse

log = logging.getLogger(__name__)

#: How often a child copies its workers' heartbeats for the parent (seconds).
BEAT_SECONDS = 1.0
#: A worker's beat before its child has loaded the reader and started it.
STARTING_BEAT = math.inf
#: How long a stopping child may take to finish the messages in hand before it is killed.
STOP_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1
#: How long a child whose parent died waits for its workers and scheduler to stop before it ends anyway.
ORPHAN_STOP_SECONDS = 10.0


def spawn_context() -> SpawnContext:
    """Fresh interpreters: the parent's threads and connections are never forked."""
    return multiprocessing.get_context("spawn")


@dataclass
class WorkerProcess:
    """One child process of workers, as its parent sees it."""

    process: SpawnProcess
    #: ``time.monotonic()`` of each worker's last loop (the clock is system-wide); negative: dead;
    #: :data:`STARTING_BEAT` until the child has loaded the reader and started its workers.
    beats: Any
    threads: int
    #: The child's failed platform calls, in the order of ``bot.ops.call_errors.SLOTS``.
    errors: Any = None

    def call_errors(self) -> dict[tuple[str, CallFailure], int]:
        """The child's failed platform calls by channel and kind (as copied at its last beat)."""
        return shared_counts(self.errors) if self.errors is not None else {}

    def pulses(self) -> list[Pulse]:
        """Each worker of the child: alive while the child is and its thread is."""
        alive = self.process.is_alive()
        pid = self.process.pid
        pulses = []
        for i in range(self.threads):
            beat = self.beats[i]
            name = f"{socket.gethostname()}:{pid}:{i}"
            if beat == STARTING_BEAT:
                pulses.append(Pulse(name, alive, time.monotonic(), starting=alive))
            else:
                pulses.append(Pulse(name, alive and beat >= 0, max(0.0, beat)))
        return pulses


def start_worker_processes(
    settings: Settings, *, processes: int, threads: int, arrived: Any, verbose: bool = False
) -> list[WorkerProcess]:
    """Start ``processes`` children of ``threads`` workers each; ``arrived`` wakes them."""
    context = spawn_context()
    started: list[WorkerProcess] = []
    for index in range(processes):
        beats = context.Array("d", [STARTING_BEAT] * threads, lock=False)
        errors = context.Array("q", len(SLOTS), lock=False)
        process = context.Process(
            target=run_worker_process,
            args=(settings, threads, arrived, beats, os.getpid(), verbose, errors),
            name=f"sportello-workers-{index}",
            daemon=True,
        )
        process.start()
        started.append(WorkerProcess(process, beats, threads, errors))
    return started


def stop_worker_processes(children: Sequence[WorkerProcess], *, timeout: float = STOP_SECONDS) -> None:
    """Ask each child to finish the messages in hand and end; kill one that does not in time."""
    for child in children:
        if child.process.is_alive():
            child.process.terminate()  # SIGTERM: the child stops its workers and the scheduler
    end = time.monotonic() + timeout
    for child in children:
        child.process.join(max(0.1, end - time.monotonic()))
        if child.process.is_alive():
            log.warning("worker process %s did not stop in %.0f s: killed", child.process.pid, timeout)
            child.process.kill()
            child.process.join(5)


def _end_with_parent(parent: int) -> None:
    """SIGTERM this process when its parent dies (Linux), and stop if it is gone already."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        raise SystemExit(0)


def run_worker_process(
    settings: Settings, threads: int, arrived: Any, beats: Any, parent: int, verbose: bool = False,
    errors: Any = None,
) -> None:
    """The child's main: workers and the scheduler, no web server, until SIGTERM or the parent's end."""
    _end_with_parent(parent)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    from bot import redact
    from bot.app import Application
    from bot.ops import logs

    logs.configure(settings.logging, verbose=verbose)
    redact.install(settings)
    app = Application(settings, workers=threads, web=False, arrived=arrived)
    try:
        app.warm()
        app.start_background()
        while os.getppid() == parent:
            for i, pulse in enumerate(app.pulses()[:threads]):
                beats[i] = pulse.beat_at if pulse.alive else -1.0
            if errors is not None:
                copy_counts(CALL_ERRORS.counts(), errors)
            if stop.wait(BEAT_SECONDS):
                break
    finally:
        for i in range(threads):
            beats[i] = -math.inf
        if os.getppid() != parent:
            _stop_orphaned(app)
        app.stop()


def _stop_orphaned(app: Any) -> None:
    """The parent is gone: stop what stops within :data:`ORPHAN_STOP_SECONDS`, then end this process whatever is
    still running (a scheduled job, a slow join). Nothing is lost: a message being worked on keeps its lease and
    another worker takes it when the lease ends, as after a kill."""
    stopper = threading.Thread(target=app.stop, name="orphan-stop", daemon=True)
    stopper.start()
    stopper.join(ORPHAN_STOP_SECONDS)
    os._exit(0)
