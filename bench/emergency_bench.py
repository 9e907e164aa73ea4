"""The emergency lane's latency through ``sportello run``: web-chat POST to the safety reply visible.

Run by hand:  .venv/bin/python bench/emergency_bench.py [--url URL] [--messages N] [--workers W]

Each emergency is posted to ``/api/chat`` on a live service (workers, web server) and the
conversation is read back until the safety reply shows; the figures are wall-clock seconds.
Ordinary messages (complaints that wait for a person, with their acknowledgement) run
alongside when ``--background`` is set, so the lane is measured under load.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from bot.app import Application
from bot.config import Settings
from storage.db import open_database

EMERGENCY = "aiuto, un uomo è svenuto sul binario a Termini"
COMPLAINT = "autista maleducato sul 64, una vergogna"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _own(http: httpx.Client) -> dict[str, str]:
    """A new conversation's bearer header."""
    return {"Authorization": f"Bearer {http.post('/api/chat/conversations').json()['token']}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--background", type=int, default=0, help="complaints posted before each emergency")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    open_database(url).dispose()
    port = _port()
    settings = Settings(
        storage={"url": url},
        web={"host": "127.0.0.1", "port": port, "secret_key": "bench", "client_posts_per_minute": 1e6,
             "client_reads_per_minute": 1e6},
        workers={"count": args.workers}, channels={"x": {"enabled": False}, "telegram": {"enabled": False}},
    )
    app = Application(settings)
    server = uvicorn.Server(uvicorn.Config(app.web_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    app.start_background()
    while not server.started:
        time.sleep(0.05)
    seconds: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            for n in range(args.messages):
                for _ in range(args.background):  # each complaint in a conversation of its own
                    http.post("/api/chat", json={"text": COMPLAINT}, headers=_own(http))
                sos = _own(http)
                start = time.perf_counter()
                http.post("/api/chat", json={"text": EMERGENCY}, headers=sos)
                while not any(m["role"] == "bot" for m in http.get("/api/chat", headers=sos).json()["messages"]):
                    time.sleep(0.005)
                seconds.append(time.perf_counter() - start)
    finally:
        server.should_exit = True
        app.stop()
    seconds.sort()
    p90 = seconds[int(0.9 * (len(seconds) - 1))]
    print(
        f"{len(seconds)} emergencies, {args.workers} workers, {args.background} complaints before each, "
        f"{url.split(':')[0]}: median {statistics.median(seconds):.3f} s, p90 {p90:.3f} s, max {seconds[-1]:.3f} s"
    )


if __name__ == "__main__":
    main()
