"""The main job: storage, knowledge, router, workers, scheduler, channels and web, wired together."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels import load_builtin_channels
from bot.channels.base import CHANNELS, Channel, ChannelContext
from bot.channels.pipeline import channel_pipeline
from bot.config import Settings
from bot.domain import utcnow
from bot.console.supervision import schedule_breach_watch
from bot.follow.service import FollowService
from bot.insight.jobs import schedule_insight
from bot.privacy.retention import schedule_privacy
from bot.public.jobs import schedule_public
from bot.scheduler import JobLeases, Scheduler
from bot.startup import announce as _announce
from bot.services import build_desk
from bot.web.server import build_web_app
from bot.notice_delivery import NoticePoster
from bot.ops.call_errors import CALL_ERRORS, CallFailure, summed
from bot.ops.health import HealthCheck, Pulse
from bot.notices import NoticeDesk
from bot.worker import NoticeLane, Worker, worker_name
from storage.cases import close_quiet_cases
from storage.db import is_sqlite, open_database, optimize
from storage.queue import MessageQueue
from storage.wakeup import listen_for_work

log = logging.getLogger(__name__)

#: What the workers read once before they start, so the reader is loaded (any text will do).
WARM_UP_TEXT = "il tram 8 funziona oggi?"
#: How often planner statistics are refreshed (``PRAGMA analysis_limit`` + ``ANALYZE``).
OPTIMIZE_SECONDS = 3600.0


class Application:
    """One ``sportello run`` process. Several can share one PostgreSQL database."""

    def __init__(
        self,
        settings: Settings,
        *,
        workers: int | None = None,
        web: bool = True,
        clock: Callable[[], datetime] = utcnow,
        worker_processes: int = 0,
        arrived: Any = None,
        verbose: bool = False,
    ) -> None:
        """``workers``: worker threads (``workers.count`` by default). With ``worker_processes``
        they run in that many child processes (:mod:`bot.worker_process`) and none in this one.
        ``arrived``: the event that wakes workers (shared with a parent or children)."""
        self.settings = settings
        self.clock = clock
        self.serve_web = web
        self.verbose = verbose
        self.engine = open_database(settings.storage.url, echo=settings.storage.echo)
        self.queue = MessageQueue(self.engine, clock=clock)
        self.worker_processes = worker_processes
        if arrived is None and worker_processes:
            from bot.worker_process import spawn_context

            arrived = spawn_context().Event()
        if arrived is not None:
            self.queue.arrived = arrived
        # One service, or several on one desk (bot.services): the main service's parts serve commands and follows.
        self.desk = build_desk(settings, engine=self.engine, clock=clock)
        self.knowledge, self.router, self.writer = self.desk.knowledge, self.desk.router, self.desk.writer
        self.pipeline = channel_pipeline(self.desk, self.knowledge, self.writer, settings, self.engine, clock)
        self.channels = self._start_channels()
        count = settings.workers.count if workers is None else workers
        self.thread_count = count
        self.workers = [self._worker(i) for i in range(0 if worker_processes else count)]
        self.children: list[Any] = []  # bot.worker_process.WorkerProcess, once started
        self.scheduler = Scheduler(JobLeases(self.engine, worker_name(), clock=clock))
        self.follow = (
            FollowService(settings, self.engine, self.knowledge, self.channels, self.scheduler.leases,
                          worker=worker_name(), clock=clock, announce=_announce,
                          services={name: (s.label, s.knowledge) for name, s in self.desk.services.items()})
            if settings.subscriptions.enabled else None
        )
        self._threads: list[threading.Thread] = []
        self._started = False
        self._stopped = threading.Event()
        self._check = self.health_check()

    def _start_channels(self) -> dict[str, Channel]:
        load_builtin_channels()
        context = ChannelContext(self.settings, self.queue, self.engine, self.clock)
        running: dict[str, Channel] = {}
        for name, cls in sorted(CHANNELS.items()):
            if not cls.enabled(self.settings):
                continue
            channel = cls(context)
            channel.start()
            running[name] = channel
            log.info("channel %s is on", name)
        return running

    def _worker(self, index: int) -> Worker:
        debug = self.settings.debug
        return Worker(
            worker_name(index),
            self.queue,
            self.pipeline,
            self.channels,
            lease_seconds=self.settings.workers.lease_seconds,
            idle_seconds=self.settings.workers.idle_seconds,
            max_attempts=self.settings.workers.max_attempts,
            claim_batch=self.settings.workers.claim_batch,
            pause_after_claim=debug.pause_after_claim,
            pause_before_finalize=debug.pause_before_finalize,
            announce=_announce,
            notices=NoticeLane(
                NoticeDesk(self.settings, clock=self.clock, voices=self.desk.voices(), main=self.desk.main.name),
                NoticePoster(
                    self.engine, self.channels, self.settings, clock=self.clock,
                    lease_seconds=self.settings.workers.lease_seconds,
                    max_attempts=self.settings.workers.max_attempts,
                    pause_before_finalize=debug.pause_before_finalize, announce=_announce,
                ),
            ),
        )

    def schedule_jobs(self) -> None:
        """Register the feed refreshes and channel polls."""
        for job in self.desk.jobs():
            self.scheduler.every(job.name, job.seconds, job.run, shared=job.shared)
        for name, channel in self.channels.items():
            if channel.poll_seconds:
                self.scheduler.every(f"poll:{name}", channel.poll_seconds, channel.poll, shared=True)
        cases = self.settings.cases
        self.scheduler.every(
            "cases:close", cases.check_seconds,
            lambda: close_quiet_cases(self.engine, self.clock(), after_hours=cases.close_after_hours), shared=True,
        )
        if self.settings.reader.retrain_hours > 0:
            from bot.reading.retrain import scheduled_retrain

            self.scheduler.every(
                "reader:retrain", self.settings.reader.retrain_hours * 3600,
                lambda: scheduled_retrain(self.settings, self.knowledge, self.engine, self.clock), shared=True,
            )
        schedule_insight(self.scheduler, self.settings, self.engine, clock=self.clock, gtfs=self.knowledge.gtfs)
        schedule_privacy(self.scheduler, self.settings, self.engine, clock=self.clock)
        schedule_breach_watch(self.scheduler, self.settings, self.engine, clock=self.clock)
        schedule_public(self.scheduler, self.settings, self.engine, clock=self.clock, gtfs=self.knowledge.gtfs)
        if self.follow is not None:
            self.follow.schedule(self.scheduler)
        # Planner statistics kept current as the tables grow (sampled: a bounded cost).
        self.scheduler.every("storage:optimize", OPTIMIZE_SECONDS, lambda: optimize(self.engine), shared=True)

    def warm(self) -> None:
        """Load what the first message would load (the reader's model and encoder, each service's FAQ questions
        embedded), when this process routes: its workers are reported starting until then, and the first citizen
        does not wait for it."""
        if self.workers:
            for service in self.desk.services.values():
                service.pipeline.router.warm()
            self.desk.chooser.warm()
            self.pipeline.decide_text(WARM_UP_TEXT)

    def start_worker_processes(self) -> None:
        """Start the worker processes (once); they load while this process sets up its web app."""
        if self.worker_processes and self.thread_count and not self.children:
            from bot.worker_process import start_worker_processes

            self.children = start_worker_processes(
                self.settings, processes=self.worker_processes, threads=self.thread_count,
                arrived=self.queue.arrived, verbose=self.verbose,
            )

    def start_background(self) -> None:
        """Start workers and the scheduler in background threads."""
        self.schedule_jobs()
        self.scheduler.start()
        if self.follow is not None:
            self.follow.start()
        for worker in self.workers:
            thread = threading.Thread(target=worker.run, name=worker.name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.start_worker_processes()
        if self.workers and not is_sqlite(self.engine):
            listener = threading.Thread(
                target=listen_for_work, args=(self.engine, self.queue.arrived, self._stopped),
                name="listen-for-work", daemon=True,
            )
            listener.start()
        self._started = True

    def stop(self) -> None:
        """Stop workers, scheduler and channels; wait for workers to finish their message."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        for worker in self.workers:
            worker.stop()
        if self.children:
            from bot.worker_process import stop_worker_processes

            stop_worker_processes(self.children)
        self.scheduler.shutdown()
        if self.follow is not None:
            self.follow.stop()
        for thread in self._threads:
            thread.join(timeout=30)
        for channel in self.channels.values():
            channel.stop()
        self.engine.dispose()

    def pulses(self) -> list[Pulse]:
        """Each worker thread of this process and of its worker processes: alive, and when
        its loop last came round."""
        threads = {t.name: t for t in self._threads}
        if not self._started and not self._stopped.is_set():  # loading the reader, or not yet asked to start
            own = [Pulse(w.name, True, time.monotonic(), starting=True) for w in self.workers]
        else:
            own = [
                Pulse(w.name, threads[w.name].is_alive() if w.name in threads else False, w.beat_at)
                for w in self.workers
            ]
        return own + [pulse for child in self.children for pulse in child.pulses()]

    def health_check(self) -> HealthCheck:
        """The checks of this process: database, its workers, its channels, the live feeds."""
        return HealthCheck(
            self.engine, self.clock, pulses=self.pulses, channels=sorted(self.channels),
            feeds=self.desk.feeds(),  # every service's, named for it on a desk of several
            stall_seconds=self.settings.workers.lease_seconds, call_errors=self.call_errors,
        )

    def call_errors(self) -> dict[tuple[str, CallFailure], int]:
        """Failed platform calls of this process and of its worker processes, by channel and kind."""
        return summed([CALL_ERRORS.counts(), *(child.call_errors() for child in self.children)])

    def web_app(self) -> Any:
        """The ASGI application for this process."""
        from bot.console import console_routes

        extra = console_routes(self)
        if self.settings.public.enabled:
            from bot.public.pages import public_routes

            extra = [*public_routes(self), *extra]
        for channel in self.channels.values():  # e.g. the Telegram webhook
            extra = [*extra, *getattr(channel, "routes", list)()]
        return build_web_app(
            self.settings,
            self.engine,
            self.queue,
            clock=self.clock,
            extra_routes=extra,
            health_status=self.health,
            health_check=self._check,
        )

    def health(self) -> dict[str, Any]:
        """What /health reports beyond liveness."""
        return {
            "channels": sorted(self.channels),
            "workers": len(self.workers) + sum(child.threads for child in self.children),
            "knowledge": self.knowledge.status(self.clock()),
            **({"services": self.desk.status(self.clock())} if self.settings.services else {}),
            "checks": self._check().staff(),
        }

    def run_forever(self) -> None:
        """Run the workers and the scheduler, without a web server, until SIGINT/SIGTERM
        (``sportello run`` with its web server: :mod:`bot.startup`)."""
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            self.warm()
            self.start_background()
            _announce("running without web server")
            stop.wait()
        finally:
            self.stop()
            _announce("stopped")
