"""Follower notices of unknown delivery: listed for a supervisor with their alert and since when, resent or left
by a person's recorded decision; through the real Telegram adapter against the fake Bot API, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.domain import as_utc
from bot.follow.events import EventKind
from bot.follow.unknown import Decision, NoticeCheckError, count_unknown, decide, unknown_notices
from storage.models import FollowNotice
from tests.bot.follow.conftest import alert
from tests.bot.follow.test_sender import Lane, TimingOut, lane  # noqa: F401  (the lane fixture)


def _left_unknown_by_a_dead_sender(lane: Lane) -> int:
    """A SIGKILL after the ``sending`` mark, then another sender's round once the lease ran out."""
    lane.follow("5001")
    lane.alerts = [alert("a1", routes=("64",), header="Deviazione")]
    lane.watcher.watch()
    [claimed] = lane.sender.claim(lane.clock())
    with lane.engine.begin() as conn:
        conn.execute(update(FollowNotice).where(FollowNotice.id == claimed.id).values(status="sending"))
    lane.clock.advance(120)
    lane.send_all()
    return claimed.id


def _row(lane: Lane, notice_id: int) -> FollowNotice:
    with lane.engine.connect() as conn:
        return conn.execute(select(FollowNotice.__table__).where(FollowNotice.id == notice_id)).one()


def test_a_notice_left_unknown_is_listed_with_its_alert_its_lines_and_since_when(lane: Lane) -> None:
    notice_id = _left_unknown_by_a_dead_sender(lane)
    found = unknown_notices(lane.engine)
    assert (found.count, found.by_channel, found.oldest) == (1, {"telegram": 1}, lane.clock())
    [listed] = found.listed
    assert (listed.id, listed.kind, listed.header, listed.what, listed.chat_end, listed.since) == (
        notice_id, EventKind.START, "Deviazione", "bus 64", "5001", lane.clock())
    assert lane.server.sent == []


def test_a_call_that_timed_out_is_listed_as_unknown_since_the_call(lane: Lane, sleeps) -> None:  # noqa: ANN001
    lane.sender.channels = {"telegram": TimingOut(lane.telegram.context, sleep=sleeps)}
    lane.follow("5001")
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    lane.send_all()
    assert count_unknown(lane.engine) == ({"telegram": 1}, lane.clock())


def test_a_supervisor_resends_one_and_the_follower_gets_it_once(lane: Lane) -> None:
    notice_id = _left_unknown_by_a_dead_sender(lane)
    lane.clock.advance(600)
    decide(lane.engine, notice_id, Decision.RESEND, by="sara", now=lane.clock())
    assert unknown_notices(lane.engine).count == 0
    lane.send_all()
    lane.send_all()
    [told] = lane.sent_to(5001)
    assert "Deviazione" in told
    row = _row(lane, notice_id)
    assert (row.status, row.decision, row.checked_by, as_utc(row.checked_at)) == ("posted", "resend", "sara", lane.clock())


def test_a_supervisor_leaves_one_and_nothing_is_sent(lane: Lane) -> None:
    notice_id = _left_unknown_by_a_dead_sender(lane)
    decide(lane.engine, notice_id, Decision.LEAVE, by="sara", now=lane.clock())
    lane.clock.advance(3600)
    lane.send_all()
    assert lane.server.sent == [] and unknown_notices(lane.engine).count == 0
    row = _row(lane, notice_id)
    assert (row.status, row.decision, row.checked_by) == ("unknown", "leave", "sara")


def test_a_notice_is_decided_once(lane: Lane) -> None:
    notice_id = _left_unknown_by_a_dead_sender(lane)
    decide(lane.engine, notice_id, Decision.LEAVE, by="sara", now=lane.clock())
    with pytest.raises(NoticeCheckError):
        decide(lane.engine, notice_id, Decision.RESEND, by="piero", now=lane.clock())
    with pytest.raises(NoticeCheckError):
        decide(lane.engine, notice_id + 99, Decision.RESEND, by="piero", now=lane.clock())
    assert _row(lane, notice_id).checked_by == "sara"


def test_a_resent_notice_that_ends_unknown_again_is_listed_again_with_who_resent_it(lane: Lane, sleeps) -> None:  # noqa: ANN001
    notice_id = _left_unknown_by_a_dead_sender(lane)
    decide(lane.engine, notice_id, Decision.RESEND, by="sara", now=lane.clock())
    lane.sender.channels = {"telegram": TimingOut(lane.telegram.context, sleep=sleeps)}
    lane.clock.advance(60)
    lane.send_all()
    [listed] = unknown_notices(lane.engine).listed
    assert (listed.id, listed.resent_by, listed.since) == (notice_id, "sara", lane.clock())
