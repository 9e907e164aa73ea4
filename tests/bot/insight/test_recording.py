"""Recording spans: snapshots close together make one span, a silence longer than the gap splits it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.insight.recording import Span, covers, gaps_within, merge, record_snapshot, spans_between

T = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
GAP = timedelta(minutes=5)


def _minutes(*offsets: int) -> list[datetime]:
    return [T + timedelta(minutes=m) for m in offsets]


def test_snapshots_within_the_gap_extend_one_span(engine: Engine) -> None:
    for moment in _minutes(0, 2, 4, 9):
        record_snapshot(engine, moment, gap=GAP)
    assert spans_between(engine, T - GAP, T + timedelta(hours=1), gap=GAP) == [Span(T, T + timedelta(minutes=9), 4)]


def test_a_silence_longer_than_the_gap_splits_the_recording(engine: Engine) -> None:
    for moment in _minutes(0, 2, 30, 31):
        record_snapshot(engine, moment, gap=GAP)
    spans = spans_between(engine, T, T + timedelta(hours=1), gap=GAP)
    assert [(s.start, s.end, s.snapshots) for s in spans] == [
        (T, T + timedelta(minutes=2), 2), (T + timedelta(minutes=30), T + timedelta(minutes=31), 2)]
    assert gaps_within(spans, T, T + timedelta(hours=1), GAP) == [
        (T + timedelta(minutes=2), T + timedelta(minutes=30)), (T + timedelta(minutes=31), T + timedelta(hours=1))]


def test_snapshots_stored_out_of_order_give_the_same_spans(engine: Engine) -> None:
    for moment in _minutes(30, 0, 31, 2):
        record_snapshot(engine, moment, gap=GAP)
    spans = spans_between(engine, T, T + timedelta(hours=1), gap=GAP)
    assert [(s.start, s.end) for s in spans] == [(T, T + timedelta(minutes=2)),
                                                 (T + timedelta(minutes=30), T + timedelta(minutes=31))]


def test_a_single_snapshot_covers_only_its_instant() -> None:
    point = [Span(T, T, 1)]
    assert covers(point, T - timedelta(minutes=10), T + timedelta(minutes=10))
    assert not covers(point, T + timedelta(seconds=1), T + timedelta(minutes=10))
    assert merge([Span(T + timedelta(minutes=4), T + timedelta(minutes=4), 1), Span(T, T, 1)], GAP) == [
        Span(T, T + timedelta(minutes=4), 2)]
