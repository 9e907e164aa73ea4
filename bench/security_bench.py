"""Security figures against a real ``sportello run``: login storm memory, throttling, floods, sessions, body cap.

    python bench/security_bench.py [--logins 80] [--flood 2000] [--concurrency 20]

Starts ``sportello run`` on a fresh SQLite file (default settings), creates a console user
with ``sportello users add`` and measures from outside, as an attacker would:

- memory (VmRSS of the process, sampled every 10 ms, and its peak VmHWM) while ``--logins``
  sign-in POSTs arrive at once, and how long ``/health`` takes meanwhile;
- 60 wrong passwords, then the right one;
- ``--flood`` chat POSTs from one address at ``--concurrency``, one conversation and fresh ones;
- a cookie copied before sign-out, used after it;
- a 50 MB body.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _login_form(client: httpx.Client, base: str) -> str:
    found = _CSRF.search(client.get(f"{base}/console/login").text)
    assert found, "no CSRF token on the sign-in page"
    return found.group(1)


def login_storm(base: str, pid: int, count: int) -> dict[str, object]:
    clients = [httpx.Client(timeout=60) for _ in range(count)]
    tokens = [_login_form(c, base) for c in clients]
    before = _status_kb(pid, "VmRSS")
    barrier = threading.Barrier(count + 1)
    peak = before
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _status_kb(pid, "VmRSS"))
            time.sleep(0.01)

    def one(i: int) -> int:
        barrier.wait()
        data = {"username": "anna", "password": PASSWORD, "csrf": tokens[i]}
        return clients[i].post(f"{base}/console/login", data=data).status_code

    sampler = threading.Thread(target=sample)
    sampler.start()
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(one, i) for i in range(count)]
        barrier.wait()
        started = time.perf_counter()
        health = httpx.get(f"{base}/health", timeout=60)
        health_s = time.perf_counter() - started
        codes = collections.Counter(f.result() for f in futures)
        storm_s = time.perf_counter() - started
    stop.set()
    sampler.join()
    for c in clients:
        c.close()
    return {"before_mb": before / 1024, "peak_mb": peak / 1024, "answers": dict(codes),
            "health_s": round(health_s, 3), "health": health.status_code, "storm_s": round(storm_s, 2)}


def wrong_passwords(base: str) -> dict[str, object]:
    codes: collections.Counter[int] = collections.Counter()
    with httpx.Client(timeout=30) as client:
        for n in range(60):
            data = {"username": "bruno", "password": f"wrong-{n}", "csrf": _login_form(client, base)}
            codes[client.post(f"{base}/console/login", data=data).status_code] += 1
        data = {"username": "bruno", "password": PASSWORD, "csrf": _login_form(client, base)}
        right = client.post(f"{base}/console/login", data=data)
    return {"wrong": dict(codes), "then_right": right.status_code, "retry_after": right.headers.get("retry-after")}


def flood(base: str, total: int, concurrency: int, *, one_conversation: bool) -> dict[str, object]:
    token = httpx.post(f"{base}/api/chat/conversations").json().get("token")
    headers = {"Authorization": f"Bearer {token}"} if one_conversation else {}

    def one(i: int) -> int:
        return httpx.post(f"{base}/api/chat", json={"text": f"flood {i}"}, headers=headers, timeout=30).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        codes = collections.Counter(pool.map(one, range(total)))
    return {"answers": dict(codes), "seconds": round(time.perf_counter() - started, 1)}


def session_after_logout(base: str) -> dict[str, object]:
    with httpx.Client(timeout=30) as agent:
        data = {"username": "carla", "password": PASSWORD, "csrf": _login_form(agent, base)}
        agent.post(f"{base}/console/login", data=data)
        copied = dict(agent.cookies)
        before = httpx.get(f"{base}/console/api/queue", cookies=copied).status_code
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', agent.get(f"{base}/console/").text)
        assert csrf
        agent.post(f"{base}/console/logout", data={"csrf": csrf.group(1)})
        after = httpx.get(f"{base}/console/api/queue", cookies=copied).status_code
    return {"copied_cookie_before_logout": before, "after_logout": after}


def big_body(base: str, pid: int) -> dict[str, object]:
    body = b'{"text": "' + b"a" * 50_000_000 + b'"}'
    try:
        code: int | str = httpx.post(f"{base}/api/chat", content=body, timeout=60,
                                     headers={"content-type": "application/json"}).status_code
    except httpx.HTTPError as exc:  # the server may close the connection after its 413
        code = type(exc).__name__
    return {"answer": code, "rss_after_mb": _status_kb(pid, "VmRSS") / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=80)
    parser.add_argument("--flood", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sportello-sec-"))
    port = _port()
    env = {**os.environ, "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp / 'sec.db'}", "SPORTELLO_WEB__PORT": str(port),
           "SPORTELLO_SECRET_KEY": "bench-secret-key"}
    for name in ("TELEGRAM_TOKEN", "X_BEARER_TOKEN", "X_CONSUMER_KEY", "X_ACCESS_TOKEN"):
        env.pop(name, None)
    for user in ("anna", "bruno", "carla"):
        subprocess.run([sys.executable, "-m", "bot.cli", "users", "add", user, "--role", "agent"], cwd=REPO, env=env,
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        time.sleep(3)  # let start-up settle before the baseline
        print("login storm:", login_storm(base, proc.pid, args.logins))
        print("wrong passwords:", wrong_passwords(base))
        print("flood, one conversation:", flood(base, args.flood, args.concurrency, one_conversation=True))
        print("flood, new conversations:", flood(base, args.flood, args.concurrency, one_conversation=False))
        print("sessions:", session_after_logout(base))
        print("50 MB body:", big_body(base, proc.pid))
        print(f"peak RSS of the process over the run (VmHWM): {_status_kb(proc.pid, 'VmHWM') / 1024:.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
