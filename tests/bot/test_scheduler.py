"""Shared jobs run in one process at a time: leases on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.scheduler import JobLeases, Scheduler
from tests.conftest import FixedClock


def test_only_one_owner_holds_a_job_lease(engine: Engine, clock: FixedClock) -> None:
    a = JobLeases(engine, "host-a", clock=clock)
    b = JobLeases(engine, "host-b", clock=clock)
    assert a.acquire("job:poll:x", 30)
    assert not b.acquire("job:poll:x", 30)


def test_the_holder_renews_its_lease(engine: Engine, clock: FixedClock) -> None:
    a = JobLeases(engine, "host-a", clock=clock)
    b = JobLeases(engine, "host-b", clock=clock)
    a.acquire("job", 30)
    clock.advance(25)
    assert a.acquire("job", 30)
    clock.advance(25)
    assert not b.acquire("job", 30)


def test_a_dead_holders_lease_is_taken_over(engine: Engine, clock: FixedClock) -> None:
    a = JobLeases(engine, "host-a", clock=clock)
    b = JobLeases(engine, "host-b", clock=clock)
    a.acquire("job", 30)
    clock.advance(31)
    assert b.acquire("job", 30)
    assert not a.acquire("job", 30)


def test_release_frees_the_lease_at_once(engine: Engine, clock: FixedClock) -> None:
    a = JobLeases(engine, "host-a", clock=clock)
    b = JobLeases(engine, "host-b", clock=clock)
    a.acquire("job", 30)
    a.release("job")
    assert b.acquire("job", 30)


def test_a_shared_job_runs_only_where_the_lease_is_held(engine: Engine, clock: FixedClock) -> None:
    runs: list[str] = []
    first = Scheduler(JobLeases(engine, "host-a", clock=clock))
    second = Scheduler(JobLeases(engine, "host-b", clock=clock))
    run_a = first._shared_run("poll", 10, lambda: runs.append("a"))
    run_b = second._shared_run("poll", 10, lambda: runs.append("b"))
    run_a()
    run_b()
    run_a()
    assert runs == ["a", "a"]


def test_a_failing_job_does_not_escape(engine: Engine, clock: FixedClock) -> None:
    def boom() -> None:
        raise RuntimeError("feed down")

    Scheduler(JobLeases(engine, "host-a", clock=clock))._shared_run("feed", 10, boom)()
