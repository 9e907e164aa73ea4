"""The pipeline at the database's pace, each figure beside its limit measured in the same run.

Sections (all by default; ``--only sqlite,postgresql,depth,storm,pgstorm,telegram,startup``):
- sqlite: message in -> reply recorded, one process, against the raw write pattern
  (bench/raw_pattern.py) on the same kind of file and settings;
- postgresql: 1 and 2 worker processes (one worker thread each, and two as ``workers.count``) against the
  raw pattern with ``SKIP LOCKED`` (1 and 2 processes) and, given ``--queues-python``, procrastinate and
  pgqueuer trivial jobs;
- depth: the same work with 1,000 and with 100,000 messages queued (SQLite);
- storm: ``sportello run`` on the default SQLite config, citizens posting to the web chat API
  at a fixed rate, each from its own loopback address; arrival -> reply posted, p50/p99, for
  the messages answered alone; each process's peak memory. Once with the workers in the web
  server's process and once in a process of their own (``--storm-processes``);
- pgstorm: the same on PostgreSQL, 5,000 citizens in a minute, workers in two processes;
- telegram: citizens writing through the Telegram webhook, each its own chat, replies posted to the
  fake Telegram server (tests/bot/channels/fake_telegram.py); arrival -> sendMessage, p50/p99
  (replies are bounded by Telegram's flood limit, ``channels.telegram.global_per_second``);
- startup: seconds from ``sportello run`` to its first HTTP answer, beside a bare Starlette app; then
  to its first message accepted and to /health 200 (every worker has loaded the reader).

Run by hand (the machine's load is printed; read the ratios):
  .venv/bin/python bench/pipeline_bench.py [--messages 2000] [--queues-python /tmp/qvenv/bin/python]

The pace's targets, three runs and their medians in one command (about 10 minutes on a quiet machine; the
job queues' interpreter made once with the line in bench/job_queues_bench.py):
  .venv/bin/python bench/pipeline_bench.py --only sqlite,postgresql --runs 3 --queues-python /tmp/qvenv/bin/python
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import queue as queue_module
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_pattern import RawPattern  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("SPORTELLO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: Questions the bot answers alone (status and FAQ), so every message takes the longest path.
TEXTS = ["il tram 8 funziona oggi?", "quanto costa un biglietto ordinario?", "grazie mille!", "can I take my bike on the metro?"]
RESULTS: list[tuple[str, str, str]] = []
#: The targets of the pace (README, *Scaling and throughput*): each ratio's lowest value, and each run's ratio.
TARGETS: dict[str, tuple[float, list[float]]] = {}


def target(figure: str, ratio: float, least: float) -> None:
    """One run's ratio of a target, summarised (median of the runs) at the end."""
    TARGETS.setdefault(figure, (least, []))[1].append(ratio)


def report(figure: str, value: str, limit: str = "") -> None:
    """One line of the summary, printed now and again at the end."""
    RESULTS.append((figure, value, limit))
    print(f"  {figure}: {value}" + (f"   [{limit}]" if limit else ""), flush=True)


# -- sportello, in this or a child process ---------------------------------------------------
def _sportello(url: str, name: str) -> Any:
    from bot.channels.base import ChannelContext
    from bot.channels.pipeline import channel_pipeline
    from bot.channels.web import WebChannel
    from bot.config import Settings
    from bot.domain import utcnow
    from bot.services import build_desk
    from bot.worker import Worker
    from storage.db import make_engine
    from storage.queue import MessageQueue

    engine = make_engine(url)
    settings = Settings()
    queue = MessageQueue(engine)
    desk = build_desk(settings, engine=engine, clock=utcnow)  # as ``sportello run`` builds it
    pipeline = channel_pipeline(desk, desk.knowledge, desk.writer, settings, engine, utcnow)
    web = WebChannel(ChannelContext(settings, queue, engine, utcnow))
    pipeline.decide_text(TEXTS[0])  # the reader's encoder loads on first use: not inside the timing
    return Worker(name, queue, pipeline, {"web": web}, claim_batch=settings.workers.claim_batch)


def _enqueue_sportello(url: str, n: int, offset: int = 0) -> float:
    from bot.domain import InboundMessage, utcnow
    from storage.db import make_engine
    from storage.queue import MessageQueue

    engine = make_engine(url)
    queue = MessageQueue(engine)
    t0 = time.perf_counter()
    for i in range(offset, offset + n):
        queue.enqueue(InboundMessage("web", f"s{i}", f"web:c{i % 300}", TEXTS[i % len(TEXTS)], utcnow(), thread_id=f"c{i % 300}"))
    took = time.perf_counter() - t0
    engine.dispose()
    return took


def _drain_child(kind: str, url: str, name: str, ready: Any, start: Any, done: Any, leave: Any, threads: int = 1) -> None:
    if kind == "sportello":
        from bot.worker import Worker

        first = _sportello(url, name)
        steps = [first.run_once] + [  # more threads share the pipeline, as ``workers.count`` threads do
            Worker(f"{name}:{i}", first.queue, first.pipeline, first.channels, claim_batch=first.claim_batch).run_once
            for i in range(1, threads)
        ]
    else:
        steps = [_raw_connection(url, name).work_once]
    ready.put(name)
    start.wait()
    cpu = time.process_time()

    def drain(step: Any) -> None:
        while step():
            pass

    import threading

    running = [threading.Thread(target=drain, args=(step,)) for step in steps[1:]]
    for thread in running:
        thread.start()
    drain(steps[0])  # in this thread: a sqlite3 connection serves the thread that made it
    for thread in running:
        thread.join()
    import resource

    done.put((name, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.process_time() - cpu))
    leave.wait(60)  # its database connections stay until the parent has read their CPU time


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _database_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL server processes serving the bench's database (0 on SQLite)."""
    if not url.startswith("postgresql"):
        return 0.0
    name = f" {url.rsplit('/', 1)[1]} ".encode()
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if name in (entry / "cmdline").read_bytes() and (entry / "comm").read_text().startswith("postgres"):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                continue
    return total / os.sysconf("SC_CLK_TCK")


#: CPU seconds of the last drain: its workers, its database server processes, the whole machine.
LAST_CPU: dict[str, float] = {}


def _drain(kind: str, url: str, processes: int, threads: int = 1) -> tuple[float, float]:
    """Seconds to empty the queue with ``processes`` workers, and their peak memory (MB); the CPU
    they, the database and the machine used meanwhile is left in :data:`LAST_CPU`."""
    ready, done = multiprocessing.Queue(), multiprocessing.Queue()
    start, leave = multiprocessing.Event(), multiprocessing.Event()
    procs = [
        multiprocessing.Process(target=_drain_child, args=(kind, url, f"{kind}-{i}", ready, start, done, leave, threads))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)
    database, machine = _database_cpu(url), _machine_busy()
    t0 = time.perf_counter()
    start.set()
    peaks: list[float] = []
    cpu = 0.0
    while len(peaks) < len(procs):
        try:
            _, peak, used = done.get(timeout=1.0)
            peaks.append(peak)
            cpu += used
        except queue_module.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError(f"a {kind} worker process failed") from None
    took = time.perf_counter() - t0
    LAST_CPU.update(workers=cpu, database=_database_cpu(url) - database, machine=_machine_busy() - machine, wall=took)
    leave.set()
    for p in procs:
        p.join()
    return took, max(peaks)


def _raw_connection(url: str, name: str = "raw") -> RawPattern:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        return RawPattern(conn, "sqlite", name)
    import psycopg

    return RawPattern(psycopg.connect(url.replace("+psycopg", "")), "postgresql", name)


def _fresh(kind: str) -> str:
    from storage.db import open_database

    if kind == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"pace_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    open_database(url).dispose()
    return url


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()


def _auto_share(url: str) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
        auto = conn.execute(text("SELECT count(*) FROM messages WHERE state = 'auto_sent'")).scalar_one()
    engine.dispose()
    return auto / max(1, total)


def _rates(n: int, intake: float, work: float, peak: float = 0.0) -> dict[str, float]:
    """Rates, and the CPU of the drain in cores (CPU seconds over its wall time)."""
    wall = LAST_CPU.get("wall") or work
    return {"intake": n / intake, "work": n / work, "total": n / (intake + work), "peak": peak,
            "cpu_workers": LAST_CPU.get("workers", 0.0) / wall, "cpu_database": LAST_CPU.get("database", 0.0) / wall,
            "cpu_machine": LAST_CPU.get("machine", 0.0) / wall}


def pipeline_rate(kind: str, n: int, processes: int, threads: int = 1) -> dict[str, float]:
    """Messages per second: the intake (one process), the workers, and message in -> reply recorded."""
    url = _fresh(kind)
    try:
        intake = _enqueue_sportello(url, n)
        work, peak = _drain("sportello", url, processes, threads)
        share = _auto_share(url)
        if share < 0.99:
            print(f"  (only {share:.0%} of the messages were answered alone)")
        return _rates(n, intake, work, peak)
    finally:
        _drop(url)


def raw_rate(kind: str, n: int, processes: int) -> dict[str, float]:
    url = _fresh(kind)
    try:
        raw = _raw_connection(url)
        t0 = time.perf_counter()
        for i in range(n):
            raw.enqueue(i, TEXTS[i % len(TEXTS)], f"c{i % 300}")
        intake = time.perf_counter() - t0
        raw.conn.close()
        work, _ = _drain("raw", url, processes)
        return _rates(n, intake, work)
    finally:
        _drop(url)


def job_queue_rate(python: str, system: str, n: int, processes: int) -> float | None:
    out = subprocess.run(
        [python, str(REPO / "bench" / "job_queues_bench.py"), system, "--processes", str(processes), "--jobs", str(n)],
        capture_output=True, text=True, timeout=1200,
    )
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return float(json.loads(line)["jobs_per_s"])
    print(f"  ({system} failed: {out.stderr.strip().splitlines()[-1:]})")
    return None


# -- sections ---------------------------------------------------------------------------------
def _mean(*runs: dict[str, float]) -> dict[str, float]:
    return {key: statistics.mean(r[key] for r in runs) for key in runs[0]}


def section_sqlite(n: int) -> None:
    print(f"\nSQLite, {n} messages answered alone, one process (raw pattern measured before and after):")
    raw_a = raw_rate("sqlite", n, 1)
    ours = pipeline_rate("sqlite", n, 1)
    two = pipeline_rate("sqlite", n, 1, threads=2)
    raw_b = raw_rate("sqlite", n, 1)
    raw = _mean(raw_a, raw_b)
    for key, label in (("total", "message in -> reply recorded"), ("intake", "intake"), ("work", "workers")):
        report(
            f"SQLite sportello, {label}", f"{ours[key]:.0f} msg/s" + (f" (2 threads: {two[key]:.0f})" if key != "intake" else ""),
            f"raw pattern {raw[key]:.0f} ({raw_a[key]:.0f}, {raw_b[key]:.0f}): ratio {ours[key] / raw[key]:.2f}"
            + (f" (2 threads {two[key] / raw[key]:.2f})" if key != "intake" else "")
            + (", target >= 0.50" if key == "total" else ""),
        )
    report("SQLite worker process peak memory", f"{ours['peak']:.0f} MB", "target < 300 MB")
    target("SQLite, message in -> reply recorded, one worker thread / raw pattern", ours["total"] / raw["total"], 0.5)
    target("SQLite, the same with two worker threads / raw pattern", two["total"] / raw["total"], 0.5)


def section_postgresql(n: int, queues_python: str | None) -> None:
    print(f"\nPostgreSQL, {n} messages answered alone; workers timed from a full queue:")
    raw1 = raw_rate("postgresql", n, 1)
    ours1 = pipeline_rate("postgresql", n, 1)
    raw2 = raw_rate("postgresql", n, 2)
    ours2 = pipeline_rate("postgresql", n, 2)
    # as ``sportello run`` runs them: ``workers.count`` (2) threads in each process, one reading while another waits
    threads1 = pipeline_rate("postgresql", n, 1, threads=2)
    threads2 = pipeline_rate("postgresql", n, 2, threads=2)
    report("PostgreSQL sportello intake, one process", f"{ours1['intake']:.0f} msg/s", f"raw {raw1['intake']:.0f}: ratio {ours1['intake'] / raw1['intake']:.2f}")
    report("PostgreSQL sportello workers, 1 process", f"{ours1['work']:.0f} msg/s ({ours1['peak']:.0f} MB)", f"raw SKIP LOCKED {raw1['work']:.0f}: ratio {ours1['work'] / raw1['work']:.2f}, target >= 0.50")
    report("PostgreSQL sportello workers, 2 processes", f"{ours2['work']:.0f} msg/s ({ours2['peak']:.0f} MB at most)", f"raw SKIP LOCKED {raw2['work']:.0f}: ratio {ours2['work'] / raw2['work']:.2f}, target >= 0.50")
    report("PostgreSQL workers, 2 processes / 1", f"{ours2['work'] / ours1['work']:.2f}x", f"raw pattern {raw2['work'] / raw1['work']:.2f}x; target >= 1.6x")
    target("PostgreSQL workers, 1 process / raw SKIP LOCKED", ours1["work"] / raw1["work"], 0.5)
    target("PostgreSQL workers, 2 processes / raw SKIP LOCKED", ours2["work"] / raw2["work"], 0.5)
    report("PostgreSQL sportello workers, two threads each (workers.count default)",
           f"1 process {threads1['work']:.0f} msg/s, 2 processes {threads2['work']:.0f} msg/s",
           f"2 / 1: {threads2['work'] / threads1['work']:.2f}x")
    target("PostgreSQL workers, 2 processes / 1 process", ours2["work"] / ours1["work"], 1.6)
    target("PostgreSQL workers, two threads each: 2 processes / 1 process", threads2["work"] / threads1["work"], 1.6)
    cores = os.cpu_count() or 1
    for label, r in (("sportello, 1 process", ours1), ("sportello, 2 processes", ours2), ("raw, 1 process", raw1), ("raw, 2 processes", raw2)):
        report(
            f"PostgreSQL CPU while draining, {label}",
            f"workers {r['cpu_workers']:.2f} + database {r['cpu_database']:.2f} cores",
            f"the machine {r['cpu_machine']:.2f} of {cores} cores busy (every process on it)",
        )
    if not queues_python:
        report("procrastinate / pgqueuer", "not measured", "give --queues-python")
        return
    for processes, ours, threads in ((1, ours1, threads1), (2, ours2, threads2)):
        rates = {s: job_queue_rate(queues_python, s, n, processes) for s in ("procrastinate", "pgqueuer")}
        best = max((r for r in rates.values() if r), default=None)
        shown = ", ".join(f"{s} {r:.0f} jobs/s" if r else f"{s} failed" for s, r in rates.items())
        if best:
            report(f"job queues, {processes} process(es), trivial jobs", shown, f"sportello workers {ours['work']:.0f} msg/s: ratio to the faster {ours['work'] / best:.2f}, target >= 1.0"
                   f" (two threads each {threads['work']:.0f}: {threads['work'] / best:.2f})")
            target(f"PostgreSQL workers, {processes} process(es) / the faster of procrastinate and pgqueuer", ours["work"] / best, 1.0)
            target(f"the same, {processes} process(es), two worker threads each", threads["work"] / best, 1.0)


def _bulk_queue(url: str, depth: int) -> None:
    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO cases (channel, thread_key, author, status, opened_at) VALUES ('web', ?, ?, 'open', ?)",
        [(f"d{i}", f"web:d{i}", now) for i in range(1000)],
    )
    conn.executemany(
        "INSERT INTO messages (channel, external_id, case_id, author, text, thread_id, received_at, extras, state,"
        " attempts, updated_at) VALUES ('web', ?, ?, ?, ?, ?, ?, '{}', 'received', 0, ?)",
        [(f"d{i}", i % 1000 + 1, f"web:d{i % 1000}", TEXTS[i % len(TEXTS)], f"d{i % 1000}", now, now) for i in range(depth)],
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _work_rate(url: str, n: int) -> float:
    worker = _sportello(url, "depth")
    done = 0
    t0 = time.perf_counter()
    while done < n:
        claims = worker.queue.claim_many(worker.name, 60, limit=worker.claim_batch, channels=["web"])
        worker.work(claims)
        done += len(claims)
    took = time.perf_counter() - t0
    worker.queue.engine.dispose()
    return n / took


def section_depth(n: int, deep: int) -> None:
    print(f"\nDepth: {n} messages worked with 1,000 and with {deep:,} queued (SQLite, one worker):")
    rates = {}
    for depth in (1000, deep, 1000):
        url = _fresh("sqlite")
        _bulk_queue(url, depth)
        rates.setdefault(depth, []).append(_work_rate(url, min(n, depth)))
    shallow = statistics.mean(rates[1000])
    report(f"work rate at {deep:,} queued", f"{rates[deep][0]:.0f} msg/s", f"at 1,000: {shallow:.0f} msg/s ({', '.join(f'{r:.0f}' for r in rates[1000])}); ratio {rates[deep][0] / shallow:.2f}, target 0.90-1.10")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answered(port: int) -> bool:
    """The server answers HTTP (any status: /health says 503 while a part is still starting)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return conn.recv(12).startswith(b"HTTP/1.1 ")
    except OSError:
        return False


def _wait_answering(proc: subprocess.Popen[bytes], port: int, t0: float) -> float:
    while not _answered(port):
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        time.sleep(0.01)
    return time.perf_counter() - t0


def _start_sportello(url: str, port: int, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], float]:
    """``sportello run`` on the default config; seconds until it answers HTTP."""
    env = {**os.environ, "SPORTELLO_STORAGE__URL": url, "SPORTELLO_WEB__PORT": str(port), **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(REPO / "config.yaml")],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return proc, _wait_answering(proc, port, t0)


#: The limit beside sportello's start-up: uvicorn serving a one-route Starlette app.
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
app = Starlette(routes=[Route("/health", lambda request: PlainTextResponse("ok"))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _start_bare(port: int) -> tuple[subprocess.Popen[bytes], float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, _wait_answering(proc, port, t0)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _first_message(port: int, t0: float) -> float:
    """Seconds from launch until a citizen's message is accepted (202): a request sent while the
    application is still being built waits for it."""
    body = json.dumps({"text": TEXTS[0]}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as http:
        http.sendall(
            b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )
        answer = http.recv(64)
    if not answer.startswith(b"HTTP/1.1 202"):
        raise RuntimeError(f"the first message was not accepted: {answer!r}")
    return time.perf_counter() - t0


def _healthy(port: int, t0: float, proc: subprocess.Popen[bytes]) -> float:
    """Seconds from launch until /health says 200: the workers have loaded the reader and route."""
    while True:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if conn.recv(12).startswith(b"HTTP/1.1 200"):
                return time.perf_counter() - t0
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        time.sleep(0.02)


def section_startup(runs: int = 3) -> None:
    print("\nStart-up: `sportello run` to its first HTTP answer (default config, SQLite), beside a bare Starlette app;"
          " then to its first message accepted and to /health 200 (the workers route):")
    ours, bare, intake, ready = [], [], [], []
    for _ in range(runs):
        proc, took = _start_bare(_free_port())
        bare.append(took)
        _stop(proc)
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'start.db'}"
        port = _free_port()
        t0 = time.perf_counter()
        proc, took = _start_sportello(url, port)
        ours.append(took)
        intake.append(_first_message(port, t0))
        ready.append(_healthy(port, t0, proc))
        _stop(proc)

    def shown(runs: list[float]) -> str:
        return f"{statistics.median(runs):.2f} s (runs {', '.join(f'{t:.2f}' for t in runs)})"

    report(
        "start-up to first HTTP answer", shown(ours),
        f"bare Starlette app {statistics.median(bare):.2f} s ({', '.join(f'{t:.2f}' for t in bare)}); target < 1.5 s",
    )
    report("start-up to first message accepted (202)", shown(intake), "the message waits in the queue for the workers")
    report("start-up to /health 200 (workers have loaded the reader)", shown(ready), "503 'starting' before")


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM")) / 1024


def _worker_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in command and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


#: Seconds from each storm message's send to its 202, in the last storm.
ACCEPTS: list[float] = []


async def _citizen(i: int, port: int, at: float, sent: dict[str, float], status: dict[str, int]) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    body = json.dumps({"text": TEXTS[i % len(TEXTS)]}).encode()  # no token: the server opens a conversation
    address = f"127.0.{i // 250 + 1}.{i % 250 + 1}"  # each citizen its own client
    began = time.time()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
        writer.write(
            b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )
        await writer.drain()
        answer = await reader.read()
        status[f"storm{i}"] = int(answer.split(b" ", 2)[1])
        if status[f"storm{i}"] == 202:
            sent[json.loads(answer.split(b"\r\n\r\n", 1)[1])["conversation"]] = began
            ACCEPTS.append(time.time() - began)
        writer.close()
    except (OSError, IndexError, ValueError, KeyError):
        status[f"storm{i}"] = 0


class _Reader:
    """Counts and rows read from the bench's database while sportello runs (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})

    def rows(self, sql: str) -> list[Any]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return list(conn.execute(text(sql)))

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])

    def close(self) -> None:
        self.engine.dispose()


def _epoch(value: Any) -> float:
    """A stored time (an ISO string on SQLite, a datetime on PostgreSQL; naive is UTC) in seconds."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _warm_up(port: int, db: _Reader) -> None:
    """One message answered before the storm (from an address the storm does not use)."""
    body = json.dumps({"text": TEXTS[0]}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as http:
        http.sendall(
            b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )
        http.recv(1024)
    end = time.monotonic() + 300
    while time.monotonic() < end and not db.count("SELECT count(*) FROM messages WHERE state = 'auto_sent'"):
        time.sleep(0.1)


def _ready(port: int) -> None:
    """Wait until /health says 200: every worker process has loaded the reader."""
    end = time.monotonic() + 300
    while time.monotonic() < end:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if conn.recv(12).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.1)
    raise RuntimeError("/health never said 200")


def section_storm(citizens: int, rate: float, processes: int, kind: str = "sqlite") -> None:
    shown = "in the web server's process" if processes == 0 else f"in {processes} process(es) of their own"
    name = "SQLite" if kind == "sqlite" else "PostgreSQL"
    print(f"\nStorm: {citizens:,} citizens at {rate:.0f}/s through the web chat API, default config on {name},"
          f" workers {shown}; rate limits per client on, each citizen its own address:")
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'storm.db'}" if kind == "sqlite" else _fresh(kind)
    db: _Reader | None = None
    try:
        proc, _ = _start_sportello(url, port := _free_port(), {"SPORTELLO_WORKERS__PROCESSES": str(processes)})
        try:
            db = _Reader(url)
            _ready(port)  # the workers' own start (loading the reader) is not the storm
            children = _worker_children(proc.pid)
            _warm_up(port, db)
            sent: dict[str, float] = {}
            status: dict[str, int] = {}

            ACCEPTS.clear()

            async def storm() -> float:
                t0 = time.monotonic()
                await asyncio.gather(*(_citizen(i, port, t0 + i / rate, sent, status) for i in range(citizens)))
                return time.monotonic() - t0

            took = asyncio.run(storm())
            accepted = sum(1 for s in status.values() if s == 202)
            end = time.monotonic() + 600
            while time.monotonic() < end:
                left = db.count("SELECT count(*) FROM messages WHERE state IN ('received', 'routed', 'approved', 'edited')")
                if left == 0:
                    break
                time.sleep(0.5)
            rows = db.rows(
                "SELECT m.thread_id, r.posted_at FROM messages m JOIN replies r ON r.message_id = m.id"
                " WHERE m.state = 'auto_sent' AND r.status = 'posted'"
            )
            waits = sorted(_epoch(posted) - sent[thread] for thread, posted in rows if thread in sent)  # not the warm-up's
            peaks = [_peak_mb(proc.pid)] + [_peak_mb(child) for child in children]
        finally:
            _stop(proc)
    finally:
        if db is not None:
            db.close()
        if kind != "sqlite":
            _drop(url)
    label = f"storm on {name}, workers {'in-process' if processes == 0 else f'{processes} process(es)'}"
    accepts = sorted(ACCEPTS) or [0.0]
    report(
        f"{label}: intake", f"{accepted:,} of {citizens:,} accepted (202) in {took:.1f} s",
        f"offered over {citizens / rate:.1f} s; send -> 202 p50 {accepts[len(accepts) // 2]:.3f} s,"
        f" p99 {accepts[min(len(accepts) - 1, int(len(accepts) * 0.99))]:.3f} s",
    )
    if waits:
        p50 = waits[len(waits) // 2]
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        report(f"{label}: arrival -> reply posted", f"p50 {p50:.2f} s, p99 {p99:.2f} s over {len(waits):,} answered alone", "target p99 <= 2 s")
    report(f"{label}: peak memory", " / ".join(f"{p:.0f} MB" for p in peaks) + " (web server" + (", workers)" if children else ")"), "target < 300 MB each")


async def _update(i: int, port: int, at: float, update: dict[str, Any], secret: str, status: dict[int, int]) -> None:
    """One webhook delivery, as Telegram makes it (from one of a few sending addresses)."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    body = json.dumps(update).encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.9.{i % 16 + 1}", 0))
        writer.write(
            b"POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        status[i] = int((await reader.read()).split(b" ", 2)[1])
        writer.close()
    except (OSError, IndexError, ValueError):
        status[i] = 0


def section_telegram_storm(citizens: int, rate: float) -> None:
    """Citizens writing to the bot through the fake Telegram server's webhook; their replies posted back to it."""
    sys.path.insert(0, str(REPO))
    from tests.bot.channels.fake_telegram import TOKEN, FakeTelegram

    print(f"\nTelegram storm: {citizens:,} citizens at {rate:.0f}/s through the webhook (fake Telegram server), default SQLite config:")
    fake = FakeTelegram().start()
    posted: dict[int, float] = {}
    route = fake.route

    def timed(method: str, params: dict[str, Any]) -> tuple[int, Any]:
        answer = route(method, params)
        if method == "sendMessage" and answer[0] == 200:
            posted.setdefault(int(params["chat_id"]), time.time())
        return answer

    fake.route = timed  # type: ignore[method-assign]
    port = _free_port()
    secret = uuid.uuid4().hex
    env = {
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": secret,
        "SPORTELLO_CHANNELS__TELEGRAM__BASE_URL": fake.base_url,
        "SPORTELLO_CHANNELS__TELEGRAM__MODE": "webhook",
        "SPORTELLO_CHANNELS__TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
    }
    path = Path(tempfile.mkdtemp()) / "telegram.db"
    proc, _ = _start_sportello(f"sqlite:///{path}", port, env)
    try:
        db = _Reader(f"sqlite:///{path}")
        _ready(port)
        _warm_up(port, db)
        sent: dict[int, float] = {}
        status: dict[int, int] = {}

        async def storm() -> float:
            t0 = time.monotonic()
            jobs = []
            for i in range(citizens):
                chat = 900_000 + i
                update = {"update_id": next(fake.update_ids), "message": fake.message(TEXTS[i % len(TEXTS)], chat_id=chat, user_id=chat)}
                update["message"]["date"] = int(time.time())
                sent[chat] = time.time() + i / rate
                jobs.append(_update(i, port, t0 + i / rate, update, secret, status))
            await asyncio.gather(*jobs)
            return time.monotonic() - t0

        took = asyncio.run(storm())
        accepted = sum(1 for code in status.values() if code == 200)
        end = time.monotonic() + 600
        while time.monotonic() < end and len(posted) < accepted:
            time.sleep(0.5)
        db.close()
    finally:
        _stop(proc)
        fake.stop()
    waits = sorted(posted[chat] - sent[chat] for chat in posted if chat in sent)
    limit = "Telegram's flood limit: channels.telegram.global_per_second (25/s) replies a second"
    report("Telegram storm: intake", f"{accepted:,} of {citizens:,} accepted (200) in {took:.1f} s", f"offered over {citizens / rate:.1f} s")
    if waits:
        p50 = waits[len(waits) // 2]
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        report("Telegram storm: arrival -> reply posted", f"p50 {p50:.2f} s, p99 {p99:.2f} s over {len(waits):,} replies", limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=100_000)
    parser.add_argument("--citizens", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--telegram-citizens", type=int, default=1000)
    parser.add_argument("--telegram-rate", type=float, default=20.0, help="below Telegram's 25 replies/s flood limit")
    parser.add_argument("--storm-processes", default="0,1", help="workers.processes of each storm run, e.g. 0,1")
    parser.add_argument("--pg-citizens", type=int, default=5000, help="the PostgreSQL storm: citizens in one minute")
    parser.add_argument("--pg-storm-processes", type=int, default=2, help="workers.processes of the PostgreSQL storm")
    parser.add_argument("--queues-python", help="an interpreter with procrastinate and pgqueuer installed")
    parser.add_argument("--only", default="sqlite,postgresql,depth,storm,pgstorm,telegram,startup")
    parser.add_argument("--runs", type=int, default=1, help="run the sections this many times; the targets' ratios "
                        "are summarised as medians of the runs")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    loads = []
    t0 = time.perf_counter()
    for run in range(args.runs):
        load = os.getloadavg()
        print(f"{f'run {run + 1} of {args.runs}: ' if args.runs > 1 else ''}machine: {os.cpu_count()} cores; "
              f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start")
        _sections(args, set(args.only.split(",")))
        loads.append(f"{load[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    load = os.getloadavg()
    print(f"\nSummary (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end):")
    for figure, value, limit in RESULTS:
        print(f"| {figure} | {value} | {limit} |")
    if TARGETS:
        print(f"\nTargets, {args.runs} run(s) in {(time.perf_counter() - t0) / 60:.1f} min (load average, 1 min, at "
              f"start -> end of each run: {'; '.join(loads)}):")
        print("| target | median | runs | at least | |\n| --- | --- | --- | --- | --- |")
        for figure, (least, ratios) in TARGETS.items():
            median = statistics.median(ratios)
            print(f"| {figure} | {median:.2f} | {', '.join(f'{r:.2f}' for r in ratios)} | {least:.2f} | "
                  f"{'met' if median >= least else 'NOT MET'} |")


def _sections(args: argparse.Namespace, only: set[str]) -> None:
    if "sqlite" in only:
        section_sqlite(args.messages)
    if "postgresql" in only:
        section_postgresql(args.messages, args.queues_python)
    if "depth" in only:
        section_depth(min(args.messages, 1000), args.depth)
    if "storm" in only:
        for processes in (int(p) for p in args.storm_processes.split(",")):
            section_storm(args.citizens, args.rate, processes)
    if "pgstorm" in only:
        section_storm(args.pg_citizens, args.pg_citizens / 60.0, args.pg_storm_processes, "postgresql")
    if "telegram" in only:
        section_telegram_storm(args.telegram_citizens, args.telegram_rate)
    if "startup" in only:
        section_startup()


if __name__ == "__main__":
    main()
