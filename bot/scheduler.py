"""Scheduled jobs with APScheduler; shared jobs run in one process at a time under a lease.

APScheduler 3 does not coordinate schedulers that share a job store, so every process
schedules every job, and a shared job first takes a lease row in the database: the process
that holds it runs the job, the others skip that run. A dead leader's lease runs out and
another process takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import as_utc, utcnow
from storage.models import JobLease

log = logging.getLogger(__name__)


class JobLeases:
    """Leases on named jobs, held by one owner until they run out."""

    def __init__(self, engine: Engine, owner: str, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.owner = owner
        self.clock = clock

    def acquire(self, name: str, seconds: float) -> bool:
        """Take or renew the lease on ``name``; False when another live owner holds it."""
        now = self.clock()
        until = now + timedelta(seconds=seconds)
        with Session(self.engine) as session:
            try:
                row = session.execute(
                    select(JobLease).where(JobLease.name == name).with_for_update()
                ).scalars().first()
                if row is None:
                    session.add(JobLease(name=name, owner=self.owner, until=until))
                    session.commit()
                    return True
                if row.owner != self.owner and as_utc(row.until) > now:
                    session.rollback()
                    return False
                row.owner = self.owner
                row.until = until
                session.add(row)
                session.commit()
                return True
            except IntegrityError:
                session.rollback()
                return False

    def release(self, name: str) -> None:
        """Give up the lease on ``name`` if we hold it."""
        with Session(self.engine) as session:
            row = session.get(JobLease, name, with_for_update=True)
            if row is not None and row.owner == self.owner:
                session.delete(row)
            session.commit()


class Scheduler:
    """Runs local jobs in every process and shared jobs in one process at a time."""

    def __init__(self, leases: JobLeases) -> None:
        self.leases = leases
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._shared: list[str] = []

    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None:
        """Run ``job`` every ``seconds``; ``shared`` jobs only where the lease is held."""
        run = self._shared_run(name, seconds, job) if shared else self._guarded(name, job)
        if shared:
            self._shared.append(name)
        self._scheduler.add_job(
            run,
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            next_run_time=datetime.now(self._scheduler.timezone),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(seconds)),
        )

    def daily(self, name: str, hour: int, job: Callable[[], object], *, timezone: str) -> None:
        """Run ``job`` once a day at ``hour`` (local time), in one process."""
        self._scheduler.add_job(
            self._shared_run(name, 3600, job),
            "cron",
            hour=hour,
            id=name,
            name=name,
            timezone=timezone,
            coalesce=True,
        )
        self._shared.append(name)

    def _shared_run(self, name: str, seconds: float, job: Callable[[], object]) -> Callable[[], None]:
        lease = max(2 * seconds, 10.0)

        def run() -> None:
            try:
                if not self.leases.acquire(f"job:{name}", lease):
                    return
            except Exception:  # the database may be briefly away; try at the next run
                log.exception("job %s: could not take its lease", name)
                return
            self._guarded(name, job)()

        return run

    @staticmethod
    def _guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                job()
            except Exception:  # a loop boundary: log and wait for the next run
                log.exception("job %s failed", name)

        return run

    def start(self) -> None:
        """Start running jobs in a background thread."""
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop running jobs and release shared leases."""
        self._scheduler.shutdown(wait=False)
        for name in self._shared:
            try:
                self.leases.release(f"job:{name}")
            except Exception:
                log.exception("job %s: could not release its lease", name)
