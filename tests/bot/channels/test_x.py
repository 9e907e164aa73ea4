"""The X channel through tweepy against a local X API: intake, cursors, replies, failures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.channels.base import ChannelContext
from bot.channels.x import XChannel
from bot.channels.x_text import weighted_length
from bot.delivery import Deliverer
from bot.domain import InboundMessage, MessageState, OutboundReply
from bot.errors import ChannelAuthError
from bot.ops.call_errors import CALL_ERRORS, CallFailure
from storage.db import session_scope
from storage.models import ApiUsage, ChannelStatus, Message, Reply
from storage.queue import MessageQueue
from tests.bot.channels.conftest import FakeSleep, x_settings
from tests.bot.channels.fake_x import ME, FakeX
from tests.conftest import FixedClock


@pytest.fixture
def x(x_context: ChannelContext, sleeps: FakeSleep) -> XChannel:
    channel = XChannel(x_context, sleep=sleeps)
    channel.start()
    return channel


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.execute(select(Message).order_by(Message.id)).scalars())


def _reply(text: str, to: str, *, extras: dict | None = None, author: str = "2001") -> OutboundReply:
    return OutboundReply(1, "x", text, "it", None, to, author, extras or {"x_kind": "mention"})


def test_a_mention_is_stored_with_author_thread_and_clean_text(x: XChannel, x_server: FakeX, engine: Engine) -> None:
    tweet = x_server.mention("@sportello_tpl il 64 è in ritardo? <fermata> & co")
    assert x.poll() == 1
    [row] = _messages(engine)
    assert (row.external_id, row.thread_id, row.author) == (tweet, tweet, "2001")
    assert row.text == "il 64 è in ritardo? <fermata> & co"
    assert row.author_name == "@citizen2001"
    assert x.ledger.cursor("since_id") == tweet


def test_a_burst_of_500_mentions_across_pages_is_stored_once_oldest_first(
    x: XChannel, x_server: FakeX, engine: Engine, clock: FixedClock
) -> None:
    ids = [x_server.mention(f"@sportello_tpl domanda {i}") for i in range(500)]
    assert x.poll() == 500
    assert x_server.calls("GET", "/mentions") == 5
    assert [m.external_id for m in _messages(engine)] == ids
    clock.advance(60)
    assert x.poll() == 0
    assert len(_messages(engine)) == 500


class _DyingQueue(MessageQueue):
    """Stores part of a batch, then the process 'dies'."""

    def __init__(self, engine: Engine, clock: FixedClock, survive: int) -> None:
        super().__init__(engine, clock=clock)
        self.survive = survive

    def enqueue_many(self, messages: Sequence[InboundMessage]) -> list[int | None]:
        kept = super().enqueue_many(messages[: self.survive])
        raise KeyboardInterrupt(f"killed after {len(kept)} messages")


def test_a_restart_in_the_middle_loses_and_repeats_nothing(
    x_context: ChannelContext, x_server: FakeX, engine: Engine, clock: FixedClock, sleeps: FakeSleep
) -> None:
    ids = [x_server.mention(f"@sportello_tpl segnalazione {i}") for i in range(250)]
    dying = ChannelContext(x_context.settings, _DyingQueue(engine, clock, 120), engine, clock)
    with pytest.raises(KeyboardInterrupt):
        XChannel(dying, sleep=sleeps).poll()
    first = XChannel(x_context, sleep=sleeps)
    assert first.ledger.cursor("since_id") is None
    assert len(_messages(engine)) == 120
    assert first.poll() == 130
    assert sorted(m.external_id for m in _messages(engine)) == sorted(ids)
    clock.advance(60)
    assert XChannel(x_context, sleep=sleeps).poll() == 0


def test_a_mention_delivered_twice_is_stored_once(x: XChannel, x_server: FakeX, engine: Engine, clock: FixedClock) -> None:
    x_server.mention("@sportello_tpl metro A chiusa?")
    x.poll()
    x.ledger.set_cursor("since_id", "1")  # as if the cursor had been lost: X sends everything again
    clock.advance(60)
    assert x.poll() == 0
    assert len(_messages(engine)) == 1


def test_429_waits_for_the_reset_before_polling_again(
    x: XChannel, x_server: FakeX, engine: Engine, clock: FixedClock
) -> None:
    reset = int((clock() + timedelta(seconds=300)).timestamp())
    x_server.fail("GET", "/mentions", 429, headers={"x-rate-limit-reset": str(reset)},
                  body={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429})
    x_server.mention("@sportello_tpl ciao")
    assert x.poll() == 0
    clock.advance(120)
    before = x_server.calls("GET", "/mentions")
    x.poll()
    assert x_server.calls("GET", "/mentions") == before
    clock.advance(200)
    assert x.poll() == 1


def test_polls_are_spread_over_what_is_left_of_the_rate_window(
    x: XChannel, x_server: FakeX, clock: FixedClock
) -> None:
    x_server.rate_remaining = 3  # 900 s to the reset, 3 calls left: one call every 300 s
    x.poll()
    calls = x_server.calls("GET", "/mentions")
    clock.advance(100)
    x.poll()
    assert x_server.calls("GET", "/mentions") == calls
    clock.advance(250)
    x.poll()
    assert x_server.calls("GET", "/mentions") == calls + 1


def test_server_errors_are_retried_with_growing_jittered_delays(
    x: XChannel, x_server: FakeX, sleeps: FakeSleep
) -> None:
    x_server.fail("GET", "/mentions", 503, times=3)
    x_server.mention("@sportello_tpl tram 8?")
    assert x.poll() == 1
    assert len(sleeps.waits) == 3
    for attempt, wait in enumerate(sleeps.waits):
        assert 2**attempt / 2 <= wait <= 2**attempt


def test_each_failed_call_is_counted_by_kind(x: XChannel, x_server: FakeX, sleeps: FakeSleep) -> None:
    before = CALL_ERRORS.counts()
    x_server.fail("GET", "/mentions", 503, times=2)
    x_server.fail("GET", "/dm_events", 403, body={"title": "Forbidden", "status": 403,
        "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint."})
    x.poll()
    after = CALL_ERRORS.counts()
    grew = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
    assert grew == {("x", CallFailure.UNAVAILABLE): 2, ("x", CallFailure.AUTH): 1}


def test_errors_beyond_the_retries_keep_the_cursor_and_mark_the_channel_degraded(
    x: XChannel, x_server: FakeX, engine: Engine
) -> None:
    x_server.fail("GET", "/mentions", 500, times=10)
    x_server.mention("@sportello_tpl tram 8?")
    assert x.poll() == 0
    assert x.ledger.cursor("since_id") is None
    assert x.ledger.status()[0] == "degraded"


def test_401_stops_the_channel_and_records_why(x_context: ChannelContext, x_server: FakeX, engine: Engine, sleeps: FakeSleep) -> None:
    settings = x_settings(x_server.base_url, str(engine.url.render_as_string(hide_password=False)),
                          consumer_secret="wrong")
    channel = XChannel(ChannelContext(settings, x_context.queue, engine, x_context.clock), sleep=sleeps)
    channel.start()
    assert channel.stopped
    with Session(engine) as session:
        status = session.get(ChannelStatus, "x")
    assert status is not None and status.state == "stopped" and "401" in (status.detail or "")
    seen = len(x_server.requests)
    assert channel.poll() == 0
    assert len(x_server.requests) == seen
    with pytest.raises(ChannelAuthError):
        channel.post(_reply("ciao", "1"))


def test_403_on_reading_stops_the_channel(x: XChannel, x_server: FakeX) -> None:
    x_server.fail("GET", "/dm_events", 403, body={"title": "Forbidden", "status": 403,
        "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint."})
    x.poll()
    assert x.stopped and "403" in x.stopped
    assert x.ledger.status()[0] == "stopped"


def test_own_posts_retweets_and_bare_quotes_are_not_taken_in(x: XChannel, x_server: FakeX, engine: Engine) -> None:
    citizen = x_server.mention("@sportello_tpl il 64 non passa")
    x_server.mention("@sportello_tpl nota interna", author=ME["id"])
    x_server.mention("RT @sportello_tpl: info", referenced=[{"type": "retweeted", "id": citizen}])
    x_server.mention("@sportello_tpl https://t.co/AbCdEfGhIj", referenced=[{"type": "quoted", "id": citizen}])
    quote_with_words = x_server.mention("@sportello_tpl anche a me! https://t.co/x", referenced=[{"type": "quoted", "id": citizen}])
    assert x.poll() == 2
    assert [m.external_id for m in _messages(engine)] == [citizen, quote_with_words]


def test_a_reply_in_a_thread_joins_the_citizens_case(x: XChannel, x_server: FakeX, engine: Engine, clock: FixedClock) -> None:
    first = x_server.mention("@sportello_tpl il 64 è in ritardo")
    x.poll()
    x.post(_reply("Nessun disservizio segnalato.", first))
    ours = x_server.posted()[-1]["id"]
    x_server.mention("@sportello_tpl ma sono 20 minuti!", reply_to=ours)
    clock.advance(60)
    x.poll()
    a, b = _messages(engine)
    assert a.case_id == b.case_id and b.thread_id == first and b.reply_to == ours


def test_a_reply_is_posted_in_the_citizens_thread(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl metro A?")
    result = x.post(_reply("La metro A è regolare.", tweet))
    [posted] = x_server.posted()
    assert result.external_ids == (posted["id"],)
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": tweet}]
    assert x.ledger.usage()[1] == 1


def test_a_long_reply_becomes_a_numbered_thread_each_part_answering_the_last(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl deviazioni?")
    text = "Linea 64 deviata 🚌 per lavori in via Nazionale: fermate sospese. " * 12
    result = x.post(_reply(text, tweet))
    posted = x_server.posted()
    assert len(posted) == len(result.external_ids) > 1
    assert all(weighted_length(p["text"].split(" ", 1)[1]) <= 280 for p in posted)
    parents = [p["referenced_tweets"][0]["id"] for p in posted]
    assert parents == [tweet, *result.external_ids[:-1]]
    assert posted[-1]["text"].endswith(f"({len(posted)}/{len(posted)})")


def test_a_timeout_after_the_server_accepted_a_post_is_found_not_posted_again(
    x_context: ChannelContext, x_server: FakeX, engine: Engine, sleeps: FakeSleep
) -> None:
    settings = x_settings(x_server.base_url, engine.url.render_as_string(hide_password=False), timeout_seconds=0.3)
    channel = XChannel(ChannelContext(settings, x_context.queue, engine, x_context.clock), sleep=sleeps)
    tweet = x_server.mention("@sportello_tpl tram 8?")
    x_server.fail("POST", "/2/tweets", stall_after_accept=0.6)
    result = channel.post(_reply("Il tram 8 è regolare.", tweet))
    assert [p["id"] for p in x_server.posted()] == list(result.external_ids)


def test_a_reply_whose_outcome_is_unknown_is_found_on_the_timeline(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl tram 8?")
    reply = _reply("Il tram 8 & il 3: regolari. https://www.atac.roma.it", tweet)
    assert x.find_posted(reply) is None
    posted = x.post(reply)
    assert x.find_posted(reply) == posted
    assert len(x_server.posted()) == 1


def test_a_thread_cut_short_by_a_crash_is_completed_not_restarted(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl deviazioni?")
    text = "Fermata Largo Argentina sospesa per lavori fino a nuovo avviso. " * 10
    full = x.post(_reply(text, tweet))
    for later in full.external_ids[1:]:
        del x_server.tweets[later]  # as if the process died after the first post
    found = x.find_posted(_reply(text, tweet))
    assert found is not None and found.external_ids[0] == full.external_ids[0]
    assert len(x_server.posted()) == len(full.external_ids)


def test_a_duplicate_refusal_is_reconciled_with_the_post_already_there(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl tram 8?")
    first = x.post(_reply("Il tram 8 è regolare.", tweet))
    again = x.post(_reply("Il tram 8 è regolare.", tweet))
    assert again == first and len(x_server.posted()) == 1


def test_a_429_on_posting_waits_for_the_reset_and_posts_once(
    x: XChannel, x_server: FakeX, sleeps: FakeSleep, clock: FixedClock
) -> None:
    tweet = x_server.mention("@sportello_tpl tram 8?")
    reset = int((clock() + timedelta(seconds=90)).timestamp())
    x_server.fail("POST", "/2/tweets", 429, headers={"x-rate-limit-reset": str(reset)})
    x.post(_reply("Il tram 8 è regolare.", tweet))
    assert sleeps.waits and 89 <= sleeps.waits[-1] <= 92
    assert len(x_server.posted()) == 1


def test_a_dm_with_emoji_rtl_and_ten_thousand_characters_is_stored_intact_and_answered_by_dm(
    x: XChannel, x_server: FakeX, engine: Engine
) -> None:
    text = ("🚇 مرحبا שלום metro A chiusa? 東京 " * 400)[:10_000]
    x_server.dm(text, sender="3003")
    assert x.poll() == 1
    [row] = _messages(engine)
    assert row.text == text.strip() and row.extras["x_kind"] == "dm"
    reply = OutboundReply(1, "x", "Risposta 🚇 " * 900, "it", row.thread_id, row.external_id, row.author, dict(row.extras))
    result = x.post(reply)
    sent = x_server.sent_dms()
    assert [f"dm:{e['id']}" for e in sent] == list(result.external_ids)
    assert "".join(e["text"] for e in sent) == reply.text
    assert x.find_posted(reply) == result


def test_own_dms_are_not_taken_in_and_the_dm_cursor_moves(x: XChannel, x_server: FakeX, engine: Engine, clock: FixedClock) -> None:
    x_server.dm("ciao", sender="3003")
    x.poll()
    x.post(OutboundReply(1, "x", "Buongiorno", "it", None, None, "3003", {"x_kind": "dm"}))
    clock.advance(60)
    assert x.poll() == 0
    assert len(_messages(engine)) == 1


def test_calls_and_posts_are_counted_per_day_and_the_cap_stops_polling(
    x_context: ChannelContext, x_server: FakeX, engine: Engine, sleeps: FakeSleep, clock: FixedClock
) -> None:
    settings = x_settings(x_server.base_url, engine.url.render_as_string(hide_password=False), daily_call_cap=4)
    channel = XChannel(ChannelContext(settings, x_context.queue, engine, clock), sleep=sleeps)
    channel.start()  # users/me
    channel.poll()  # mentions + DMs
    tweet = x_server.mention("@sportello_tpl ciao")
    channel.post(_reply("Ciao!", tweet))
    with Session(engine) as session:
        usage = session.get(ApiUsage, ("x", clock().date().isoformat()))
    assert usage is not None and (usage.calls, usage.posts) == (4, 1)
    clock.advance(60)
    seen = len(x_server.requests)
    assert channel.poll() == 0
    assert len(x_server.requests) == seen
    assert channel.describe()["state"] == "capped"


def test_after_a_crash_mid_post_the_deliverer_finds_the_reply_instead_of_posting_again(
    x: XChannel, x_server: FakeX, engine: Engine, queue: MessageQueue
) -> None:
    tweet = x_server.mention("@sportello_tpl tram 8?")
    x.poll()
    [row] = _messages(engine)
    claim = queue.claim("w1", 30)
    assert claim is not None
    with session_scope(engine) as session:
        held = queue.held(session, claim)
        held.draft, held.action = "Il tram 8 è regolare.", "auto"
        queue.move(session, held, MessageState.ROUTED)
        session.add(Reply(message_id=row.id, case_id=row.case_id, channel="x", text=held.draft, author="bot",
                          status="pending", attempts=1, created_at=queue.clock()))
    x.post(_reply("Il tram 8 è regolare.", tweet))  # the first worker's post reached X, then it died
    Deliverer(queue).deliver(claim, x)
    assert len(x_server.posted()) == 1
    [reply] = queue.replies_for(row.id)
    assert reply.status == "posted" and reply.external_ids == [x_server.posted()[0]["id"]]
    assert queue.get(row.id).state == MessageState.AUTO_SENT
