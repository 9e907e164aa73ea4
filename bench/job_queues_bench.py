"""Trivial jobs through procrastinate or pgqueuer: the job queues sportello's PostgreSQL path is held against.

Not part of sportello and never imported by it: run with a throwaway interpreter that has them,
  python3 -m venv /tmp/qvenv && /tmp/qvenv/bin/pip install procrastinate pgqueuer 'psycopg[binary]'
  /tmp/qvenv/bin/python bench/job_queues_bench.py procrastinate --processes 2 --jobs 2000
Prints one JSON line: {"system", "version", "processes", "jobs", "jobs_per_s"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import time
import uuid
from importlib.metadata import version

import psycopg

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _database() -> str:
    name = f"pace_jobq_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN.rsplit("/", 1)[0] + "/" + name


def _drop(url: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


# -- procrastinate ---------------------------------------------------------------------------
def _procrastinate_app(url: str):  # noqa: ANN202
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="noop")
    async def noop(i: int) -> None:
        return None

    return app, noop


async def _procrastinate_setup(url: str, jobs: int) -> None:
    app, noop = _procrastinate_app(url)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        await noop.batch_defer_async(*({"i": i} for i in range(jobs)))


def _procrastinate_work(url: str, start: multiprocessing.Event) -> None:
    app, _ = _procrastinate_app(url)

    async def run() -> None:
        async with app.open_async():
            start.wait()
            await app.run_worker_async(wait=False, concurrency=1, install_signal_handlers=False)

    asyncio.run(run())


# -- pgqueuer -------------------------------------------------------------------------------
async def _pgqueuer_setup(url: str, jobs: int) -> None:
    from pgqueuer import PsycopgDriver, Queries

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        queries = Queries(PsycopgDriver(conn))
        await queries.install()
        for first in range(0, jobs, 1000):
            n = min(1000, jobs - first)
            await queries.enqueue(["noop"] * n, [None] * n, [0] * n)


def _pgqueuer_work(url: str, start: multiprocessing.Event) -> None:
    from datetime import timedelta

    from pgqueuer import PsycopgDriver, Queries, QueueManager
    from pgqueuer.types import QueueExecutionMode

    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            manager = QueueManager(Queries(PsycopgDriver(conn)))

            @manager.entrypoint("noop")
            async def noop(job) -> None:  # noqa: ANN001
                return None

            start.wait()
            await manager.run(mode=QueueExecutionMode.drain, dequeue_timeout=timedelta(seconds=1), batch_size=10)

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", choices=["procrastinate", "pgqueuer"])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2000)
    args = parser.parse_args()
    url = _database()
    try:
        setup, work = {
            "procrastinate": (_procrastinate_setup, _procrastinate_work),
            "pgqueuer": (_pgqueuer_setup, _pgqueuer_work),
        }[args.system]
        asyncio.run(setup(url, args.jobs))
        start = multiprocessing.Event()
        procs = [multiprocessing.Process(target=work, args=(url, start)) for _ in range(args.processes)]
        for p in procs:
            p.start()
        time.sleep(1.0)  # let every worker connect before the clock starts
        t0 = time.perf_counter()
        start.set()
        for p in procs:
            p.join()
        took = time.perf_counter() - t0
        print(json.dumps({
            "system": args.system, "version": version(args.system), "processes": args.processes,
            "jobs": args.jobs, "jobs_per_s": round(args.jobs / took, 1),
        }))
    finally:
        _drop(url)


if __name__ == "__main__":
    main()
