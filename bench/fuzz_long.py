"""A long fuzz run by hand: the suite's Hypothesis strategies with many more examples, counting 500s.

    python bench/fuzz_long.py [--examples 2000] [--db sqlite|postgresql+psycopg://...]

Drives the chat API, the Telegram webhook (against the fake Bot API), the console's action and
canned-reply forms, the report filters and the alert feed parser in one process, and prints per
surface the inputs tried, the answers seen and the 500s (which must be 0).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from bot.channels.base import ChannelContext  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.console import build_console  # noqa: E402
from bot.console.users import create_user  # noqa: E402
from bot.domain import InboundMessage, MessageState, utcnow  # noqa: E402
from bot.insight.errors import InsightError  # noqa: E402
from bot.insight.period import parse_period  # noqa: E402
from bot.web.server import build_web_app  # noqa: E402
from knowledge.alerts import alerts_from_feed, parse_feed  # noqa: E402
from knowledge.errors import FeedError  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.queue import MessageQueue  # noqa: E402
from tests.bot.channels.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from tests.bot.channels.test_telegram_fuzz import updates  # noqa: E402
from tests.bot.console.test_fuzz import ACTIONS, FIELDS, _form  # noqa: E402
from tests.bot.insight.test_period_fuzz import moments  # noqa: E402
from tests.fuzzing import hostile_text, json_values  # noqa: E402
from tests.knowledge.test_alerts_fuzz import _feed, alerts  # noqa: E402

PASSWORD = "fuzzing-password-1"
seen: dict[str, collections.Counter[int | str]] = collections.defaultdict(collections.Counter)


def _settings(n: int) -> Any:
    return settings(max_examples=n, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per surface")
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="sportello-fuzz-")
    url = f"sqlite:///{tmp}/fuzz.db" if args.db == "sqlite" else args.db
    telegram = FakeTelegram().start()
    config = Settings(
        storage={"url": url}, web={"secret_key": "fuzz", "chat_posts_per_minute": 1e9,
                                   "client_posts_per_minute": 1e9, "client_reads_per_minute": 1e9},
        console={"login_failures_per_account": 10**6, "login_failures_per_address": 10**6},
        channels={"telegram": {"enabled": True, "base_url": telegram.base_url, "token": TOKEN, "mode": "webhook",
                               "webhook_url": "https://x.example/telegram/webhook", "secret_token": "s3cret",
                               "chat_updates_per_minute": 1e9, "webhook_per_minute": 1e9, "timeout_seconds": 2}},
    )
    engine = open_database(url)
    queue = MessageQueue(engine, clock=utcnow)
    channel = TelegramChannel(ChannelContext(config, queue, engine, utcnow))
    channel.start()
    console = build_console(config, engine, queue, clock=utcnow)
    app = build_web_app(config, engine, queue, clock=utcnow,
                        extra_routes=[*channel.routes(), Mount("/console", app=console)])
    create_user(engine, "fuzzer", PASSWORD, "supervisor")
    http = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    page = http.get("/console/login").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    http.post("/console/login", data={"username": "fuzzer", "password": PASSWORD, "csrf": csrf})
    csrf = http.get("/console/").text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    n = args.examples
    started = time.perf_counter()

    @_settings(n)
    @given(body=st.one_of(json_values, st.fixed_dictionaries({"text": hostile_text})),
           raw=st.binary(max_size=300), use_raw=st.booleans())
    def chat(body: Any, raw: bytes, use_raw: bool) -> None:
        content = raw if use_raw else json.dumps(body).encode()
        seen["chat API"][http.post("/api/chat", content=content,
                                   headers={"content-type": "application/json"}).status_code] += 1

    @_settings(n)
    @given(update=st.one_of(updates, json_values))
    def webhook(update: Any) -> None:
        response = http.post("/telegram/webhook", content=json.dumps(update).encode(),
                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret", "content-type": "application/json"})
        seen["Telegram webhook"][response.status_code] += 1

    @_settings(n)
    @given(action=st.sampled_from(ACTIONS), fields=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=5),
           q=hostile_text)
    def console_forms(action: str, fields: dict[str, str], q: str) -> None:
        message_id = queue.enqueue(InboundMessage("web", f"f-{time.perf_counter_ns()}", "web:f", "il 64?", utcnow(),
                                                  thread_id="f"))
        assert message_id is not None
        queue.transition(message_id, MessageState.ROUTED, actor="bot")
        queue.transition(message_id, MessageState.AWAITING_REVIEW, actor="bot")
        response = http.post(f"/console/messages/{message_id}/{action}", content=_form(fields, csrf),
                             headers={"content-type": "application/x-www-form-urlencoded"})
        seen["console forms"][response.status_code] += 1
        search = http.get("/console/api/canned?q=" + quote(q.encode("utf-8", "surrogatepass"), safe=""))
        seen["console forms"][search.status_code] += 1

    @_settings(n * 5)
    @given(since=st.none() | moments, until=st.none() | moments)
    def report_filters(since: str | None, until: str | None) -> None:
        try:
            parse_period(since, until, tz="Europe/Rome", now=utcnow()).before()
            seen["report filters"]["period"] += 1
        except InsightError:
            seen["report filters"]["clear error"] += 1
        except Exception:  # noqa: BLE001 - counted as a crash
            seen["report filters"][500] += 1

    @_settings(n * 5)
    @given(data=st.one_of(st.binary(max_size=600), hostile_text, alerts.map(_feed)))
    def feed_parser(data: Any) -> None:
        try:
            alerts_from_feed(parse_feed(data))
            seen["alert feed parser"]["alerts"] += 1
        except FeedError:
            seen["alert feed parser"]["clear error"] += 1
        except Exception:  # noqa: BLE001 - counted as a crash
            seen["alert feed parser"][500] += 1

    try:
        for run in (chat, webhook, console_forms, report_filters, feed_parser):
            run()
    finally:
        channel.stop()
        telegram.stop()
        engine.dispose()
    total = sum(sum(c.values()) for c in seen.values())
    crashes = sum(c.get(500, 0) for c in seen.values())
    print(f"database: {engine.url.get_backend_name()}; {time.perf_counter() - started:.0f} s")
    for surface, counts in seen.items():
        print(f"{surface:18} {sum(counts.values()):6} inputs  " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)))
    print(f"total {total} inputs, 500s seen: {crashes}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
