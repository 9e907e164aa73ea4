"""Workers in processes of their own beside the web server, so the chat intake never waits behind routing.

``sportello run`` serves HTTP in its own process and starts ``workers.processes`` children
that each run ``workers.count`` worker threads (and the scheduler, like any ``sportello run``
process: shared jobs are leased, so each runs once). A message stored by the web server wakes
the children at once (a shared event; on PostgreSQL ``NOTIFY`` as well). The children report
their workers' heartbeats and failed platform calls to the parent, which /health and /metrics
read; a child ends with its parent, even when the parent is killed: it watches a pipe whose only write end
the parent holds, and the kernel closes that end when the whole parent process is gone.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
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
#: How long a child whose parent died waits for its workers and scheduler to stop before it ends anyway
#: (counted from the parent's death, whatever the child was doing: loading the reader, or a slow stop).
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
    #: The write end of the child's lifeline: never written, closed by the kernel when this process ends.
    lifeline: Connection | None = None

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
        watched, lifeline = context.Pipe(duplex=False)
        process = context.Process(
            target=run_worker_process,
            args=(settings, threads, arrived, beats, watched, verbose, errors),
            name=f"sportello-workers-{index}",
            daemon=True,
        )
        process.start()
        watched.close()  # the child has its own copy: the write end must be the only one left here
        started.append(WorkerProcess(process, beats, threads, errors, lifeline))
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
        if child.lifeline is not None:
            child.lifeline.close()


class ParentWatch:
    """The child's side of its lifeline: a thread that waits for the parent's end (EOF on the pipe), stops the
    child's workers and scheduler, and ends the process once they have stopped or after :data:`ORPHAN_STOP_SECONDS`.

    Ending it here, not by returning: the interpreter's own exit waits for a scheduled job still running (a
    retrain, a report), however long it takes. And a pipe rather than Linux's parent-death signal: that signal
    follows the parent *thread* that started the child (it came when the start-up thread ended, and on a kill
    while the child still saw its parent's pid, so the child took the unbounded stop); the pipe's end follows
    the whole process, on every platform.
    """

    def __init__(self, watched: Connection, stop: threading.Event, end: Callable[[], object] | None = None) -> None:
        """``end`` ends the process (:func:`end_now` unless told)."""
        self.watched = watched
        self.stop = stop
        self.end = end or end_now
        #: Set by the child once its workers and scheduler have stopped.
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="parent-watch", daemon=True)

    def start(self) -> None:
        """Watch from now on (a parent already gone is seen at once)."""
        self.thread.start()

    def _watch(self) -> None:
        try:
            self.watched.recv_bytes()  # the parent never writes: this returns only at its end
        except (EOFError, OSError):
            pass
        self.stop.set()
        if not self.finished.wait(ORPHAN_STOP_SECONDS):
            log.warning("parent gone and the workers not stopped in %.0f s: ending", ORPHAN_STOP_SECONDS)
        self.end()


def end_now() -> None:
    """End this process now, whatever still runs (a scheduled job, a slow join). Nothing is lost: a message
    being worked on keeps its lease and another worker takes it when the lease ends, as after a kill."""
    os._exit(0)


def run_worker_process(
    settings: Settings, threads: int, arrived: Any, beats: Any, watched: Connection, verbose: bool = False,
    errors: Any = None,
) -> None:
    """The child's main: workers and the scheduler, no web server, until SIGTERM or the parent's end."""
    stop = threading.Event()
    watch = ParentWatch(watched, stop)
    watch.start()
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
        while not stop.is_set():
            for i, pulse in enumerate(app.pulses()[:threads]):
                beats[i] = pulse.beat_at if pulse.alive else -1.0
            if errors is not None:
                copy_counts(CALL_ERRORS.counts(), errors)
            stop.wait(BEAT_SECONDS)
    finally:
        for i in range(threads):
            beats[i] = -math.inf
        app.stop()
        watch.finished.set()
