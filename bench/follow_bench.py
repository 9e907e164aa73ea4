"""Fan-out of one alert to the followers of a line: queued, sent at the platform's rate, none twice after SIGKILL.

Run by hand:
    .venv/bin/python bench/follow_bench.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--followers 100000] [--send 1500] [--rate 25] [--kill-followers 1500]

Each measure on a fresh PostgreSQL database made for it (dropped afterwards):
1. *queued*: 100,000 followers of line 64; one alert on line 64 starts; the time of the watcher's one
   transaction that writes the event and its 100,000 notices (the outbox).
2. *sent*: ``--send`` notices posted by the sender through the real Telegram adapter to the fake Bot API
   (tests/bot/channels/fake_telegram.py) over real HTTP, paced at ``--rate`` messages a second
   (channels.telegram.global_per_second); the rate achieved, first post to last, and its share of ``--rate``.
4. *place* (``--only place``): 100,000 followers of one street (via Sparano, inside the water example's Murat
   outage) and one follower of each other place of that example; the outage watcher's first look (which
   followed places the outages cover, then the event and its notices in one transaction), and a second look
   that finds nothing new.
5. *municipality* (``--only municipality``): the same with the 100,000 following the municipality of Bari
   (072006), which hears of every outage reaching it: one announced for it, or for one of its streets, districts or
   zones, or whose shape holds a place of it the gazetteer knows.
3. *SIGKILL*: ``sportello run`` tells ``--kill-followers`` followers, is killed with SIGKILL a third of the
   way, and is started again; how many followers got the alert twice, and how many were left ``unknown``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.channels.base import ChannelContext  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.config import SAMPLE_DIR, Settings  # noqa: E402
from bot.domain import utcnow  # noqa: E402
from bot.follow.events import AlertWatcher  # noqa: E402
from bot.follow.sender import NoticeSender  # noqa: E402
from knowledge.alerts import Alert, EntitySelector  # noqa: E402
from knowledge.gtfs import GtfsIndex  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Follower, FollowNotice  # noqa: E402
from storage.queue import MessageQueue  # noqa: E402
from tests.bot.channels import fake_telegram  # noqa: E402
from tests.bot.channels.fake_telegram import FakeTelegram  # noqa: E402

ALERT_FILE = """header {{ gtfs_realtime_version: "2.0" incrementality: FULL_DATASET timestamp: {now} }}
entity {{ id: "bus-64-deviato" alert {{
  informed_entity {{ route_id: "64" }} cause: CONSTRUCTION effect: DETOUR
  header_text {{ translation {{ text: "Bus 64 deviato in via Nazionale" language: "it" }} }}
}} }}
"""


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"sportello_follow_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    open_database(url).dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_followers(engine: Engine, count: int, *, first_chat: int = 10_000_000, kind: str = "line",
                  target: str = "64") -> None:
    """``count`` Telegram chats following line 64, or another ``kind`` and ``target`` (set-up, not measured)."""
    now = utcnow()
    table = Follower.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for start in range(0, count, 10_000):
            conn.execute(insert(table), [
                {"channel": "telegram", "chat": str(first_chat + n), "kind": kind, "target": target, "lang": "it",
                 "created_at": now}
                for n in range(start, min(count, start + 10_000))
            ])


def bus_64_alert() -> Alert:
    return Alert("bus-64-deviato", (), (EntitySelector(route_id="64"),), "CONSTRUCTION", "DETOUR",
                 {"it": "Bus 64 deviato in via Nazionale"}, {"it": "Deviazione per lavori."})


def statuses(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(FollowNotice.status)).scalars())


def measure_queue(admin_url: str, followers: int, gtfs: GtfsIndex) -> float:
    with fresh_database(admin_url) as url:
        engine = create_engine(url)
        add_followers(engine, followers)
        watcher = AlertWatcher(engine, gtfs, lambda: [bus_64_alert()], lambda _now: True, clock=utcnow)
        start = time.perf_counter()
        watched = watcher.watch()
        seconds = time.perf_counter() - start
        assert watched.notices == followers, watched
        engine.dispose()
    print(f"queued: {followers} followers of line 64, one alert: event + {followers} notices in {seconds:.2f} s "
          f"(PostgreSQL, one transaction)")
    return seconds


def measure_place(admin_url: str, followers: int, *, kind: str = "street",
                  target: str = "072006:via sparano da bari", name: str = "via Sparano") -> tuple[float, float]:
    """The outage watcher of examples/water, with ``followers`` following via Sparano (or another ``kind`` and
    ``target``: the municipality of Bari) and one of every other place."""
    from datetime import datetime

    from bot.config import AlertFeedSettings
    from bot.follow.outage_events import PlaceWatcher
    from bot.follow.places import PlaceFinder
    from knowledge.gazetteer import Gazetteer
    from knowledge.outage_store import OutageStore

    water = REPO / "examples" / "water"
    now = datetime.fromisoformat("2026-12-03T11:00:00+01:00")
    gazetteer = Gazetteer.load([water / "stradario.csv", water / "luoghi.geojson"])
    feed = AlertFeedSettings(source=str(water / "avvisi-cap.xml"), max_age_seconds=315_360_000)
    store = OutageStore([("water:outages", feed)], gazetteer, engine=None, clock=lambda: now)
    others = [s.subject for s in gazetteer.streets] + [a.subject for a in gazetteer.places.areas]
    others += [p.subject for p in gazetteer.places.points] + list(gazetteer.municipalities())
    with fresh_database(admin_url) as url:
        engine = create_engine(url)
        add_followers(engine, followers, kind=kind, target=target)
        for i, subject in enumerate(others):
            add_followers(engine, 1, first_chat=20_000_000 + i, kind=str(subject.kind), target=subject.id)
        watcher = PlaceWatcher(engine, "water", store, PlaceFinder([gazetteer]), clock=lambda: now)
        start = time.perf_counter()
        watched = watcher.watch()
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = watcher.watch()
        second = time.perf_counter() - start
        assert again.events == () and watched.notices >= followers, watched
        engine.dispose()
    print(f"place: {followers} followers of {name} + {len(others)} of other places; first look: "
          f"{len(watched.events)} outage events, {watched.notices} notices in {first:.2f} s; "
          f"a look with nothing new {second * 1000:.0f} ms (PostgreSQL)")
    return first, second


def measure_send(admin_url: str, count: int, rate: float, gtfs: GtfsIndex) -> float:
    server = FakeTelegram().start()
    os.environ["TELEGRAM_TOKEN"] = fake_telegram.TOKEN
    try:
        with fresh_database(admin_url) as url:
            engine = create_engine(url)
            add_followers(engine, count)
            settings = Settings(
                storage={"url": url}, subscriptions={"quiet_hours": ""},
                channels={"web": {"enabled": False}, "x": {"enabled": False},
                          "telegram": {"enabled": True, "base_url": server.base_url, "token": fake_telegram.TOKEN,
                                       "global_per_second": rate, "long_poll_seconds": 0}},
            )
            context = ChannelContext(settings, MessageQueue(engine), engine, utcnow)
            telegram = TelegramChannel(context)
            telegram.start()
            AlertWatcher(engine, gtfs, lambda: [bus_64_alert()], lambda _now: True, clock=utcnow).watch()
            sender = NoticeSender(engine, {"telegram": telegram}, settings, worker="bench", clock=utcnow)
            start = time.perf_counter()
            while sender.run_once():
                pass
            seconds = time.perf_counter() - start
            telegram.stop()
            done = statuses(engine)
            engine.dispose()
    finally:
        server.stop()
    achieved = (done["posted"] - 1) / seconds if seconds else 0.0
    print(f"sent: {done['posted']} of {count} notices in {seconds:.1f} s = {achieved:.1f} msg/s against a configured "
          f"{rate:g}/s ({100 * achieved / rate:.1f} %), fake Telegram over HTTP, PostgreSQL")
    return achieved / rate


def measure_kill(admin_url: str, count: int, rate: float) -> tuple[int, int, int]:
    server = FakeTelegram().start()
    feed = Path(tempfile.mkdtemp()) / "alerts.textproto"
    feed.write_text(ALERT_FILE.format(now=int(time.time())), encoding="utf-8")
    env = {
        **os.environ, "TELEGRAM_TOKEN": fake_telegram.TOKEN,
        "SPORTELLO_WORKERS__COUNT": "1", "SPORTELLO_WORKERS__LEASE_SECONDS": "5",
        "SPORTELLO_CHANNELS__TELEGRAM__ENABLED": "true", "SPORTELLO_CHANNELS__TELEGRAM__BASE_URL": server.base_url,
        "SPORTELLO_CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
        "SPORTELLO_CHANNELS__TELEGRAM__GLOBAL_PER_SECOND": str(rate), "SPORTELLO_CHANNELS__X__ENABLED": "false",
        "SPORTELLO_KNOWLEDGE__ALERTS__SOURCE": str(feed), "SPORTELLO_KNOWLEDGE__ALERTS__REFRESH_SECONDS": "2",
        "SPORTELLO_SUBSCRIPTIONS__QUIET_HOURS": "",
    }
    command = [sys.executable, "-m", "bot.cli", "run", "--no-web", "--config", str(REPO / "config.yaml")]
    try:
        with fresh_database(admin_url) as url:
            env["SPORTELLO_STORAGE__URL"] = url
            engine = create_engine(url)
            add_followers(engine, count)
            doomed = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while len(server.sent) < count // 3:
                time.sleep(0.05)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
            killed_at = len(server.sent)
            again = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    done = statuses(engine)
                    if sum(done.values()) == count and not done["pending"] and not done["sending"]:
                        break
                    time.sleep(0.5)
            finally:
                again.terminate()
                again.wait(timeout=30)
            engine.dispose()
    finally:
        server.stop()
    per_chat = Counter(int(m["chat_id"]) for m in server.sent)
    twice = sum(1 for n in per_chat.values() if n > 1)
    print(f"SIGKILL: {count} followers, killed after {killed_at} sent, restarted: {twice} told twice, "
          f"{done['unknown']} left unknown (in flight at the kill), {len(per_chat)} told once, "
          f"{count - len(per_chat)} not told")
    return twice, done["unknown"], killed_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("SPORTELLO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=Settings().channels.telegram.global_per_second)
    parser.add_argument("--kill-followers", type=int, default=1500)
    parser.add_argument("--only", choices=("queue", "send", "kill", "place", "municipality"))
    args = parser.parse_args()
    gtfs = GtfsIndex.load(SAMPLE_DIR / "gtfs")
    load = os.getloadavg()[0]
    print(f"machine load {load:.1f} on {os.cpu_count()} cores")
    if args.only in (None, "queue"):
        measure_queue(args.pg, args.followers, gtfs)
    if args.only in (None, "send"):
        measure_send(args.pg, args.send, args.rate, gtfs)
    if args.only in (None, "kill"):
        measure_kill(args.pg, args.kill_followers, args.rate)
    if args.only in (None, "place"):
        measure_place(args.pg, args.followers)
    if args.only in (None, "municipality"):
        measure_place(args.pg, args.followers, kind="municipality", target="072006", name="the municipality of Bari")


if __name__ == "__main__":
    main()
