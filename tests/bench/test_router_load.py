"""The router load test: its arrival schedule, what it takes to read, and its latency bookkeeping (no real clock)."""

from __future__ import annotations

import importlib

import pytest

from bot.config import Settings


load = importlib.import_module("bench.router_load")


class FakeClock:
    """Time that moves only when the loop sleeps or a fake read costs it some."""

    def __init__(self, start: float = 100.0) -> None:
        self.t = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def _reader(clock: FakeClock, fixed: float = 0.001, each: float = 0.002) -> tuple[list[list[str]], object]:
    calls: list[list[str]] = []

    def read(texts: list[str]) -> list[str]:
        calls.append(texts)
        clock.t += fixed + each * len(texts)
        return [t.upper() for t in texts]

    return calls, read


def test_a_seeded_poisson_schedule_is_the_same_each_time_and_keeps_its_rate() -> None:
    first = load.arrival_schedule(500, 20_000, seed=3)
    assert first == load.arrival_schedule(500, 20_000, seed=3)
    assert first != load.arrival_schedule(500, 20_000, seed=4)
    assert all(a < b for a, b in zip(first, first[1:]))
    assert first[-1] / len(first) == pytest.approx(1 / 500, rel=0.03)


def test_a_uniform_schedule_has_one_arrival_every_one_over_rate_seconds_from_zero() -> None:
    assert load.arrival_schedule(4, 5, uniform=True) == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_a_schedule_refuses_a_rate_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="rate"):
        load.arrival_schedule(0, 10)


def test_taking_reads_every_message_already_arrived_up_to_the_claim_batch() -> None:
    arrivals = [0.1, 0.2, 0.3, 0.4]
    assert load.take_arrived(arrivals, 0, 0.25, 32) == 2
    assert load.take_arrived(arrivals, 0, 0.3, 32) == 3  # arriving exactly now counts
    assert load.take_arrived(arrivals, 0, 0.25, 1) == 1
    assert load.take_arrived(arrivals, 2, 0.25, 32) == 2  # nothing new: an empty batch
    assert load.take_arrived(arrivals, 1, 9.0, 2) == 3


def test_the_claim_batch_defaults_to_the_workers_configured_default() -> None:
    assert load.default_claim_batch() == Settings().workers.claim_batch


def test_each_latency_runs_from_arrival_to_its_batchs_decision_and_an_idle_loop_sleeps_to_the_next_arrival() -> None:
    clock = FakeClock()
    calls, read = _reader(clock)
    texts = ["a", "b", "c", "d", "e"]
    run = load.run_open_loop(read, texts, [0.0, 0.0005, 0.0006, 0.010, 0.050], 32,
                             clock=clock, sleep=clock.sleep, cpu_clock=lambda: 0.0)
    assert calls == [["a"], ["b", "c"], ["d"], ["e"]]
    assert run.batches == [1, 2, 1, 1]
    assert run.latencies == pytest.approx([0.003, 0.0075, 0.0074, 0.003, 0.003])
    assert run.reads == pytest.approx([0.003, 0.005, 0.003, 0.003])
    assert clock.slept == pytest.approx([0.002, 0.037])
    assert run.decisions == ["A", "B", "C", "D", "E"]


def test_a_claim_batch_of_one_reads_a_backlog_one_message_a_call() -> None:
    clock = FakeClock()
    calls, read = _reader(clock, fixed=0.0, each=0.01)
    run = load.run_open_loop(read, ["a", "b", "c"], [0.0, 0.0, 0.0], 1,
                             clock=clock, sleep=clock.sleep, cpu_clock=lambda: 0.0)
    assert calls == [["a"], ["b"], ["c"]]
    assert run.latencies == pytest.approx([0.01, 0.02, 0.03])
    assert clock.slept == []


def test_the_messages_in_the_system_are_counted_at_the_last_arrival_and_at_their_most() -> None:
    arrivals = [0.0, 0.1, 0.15, 0.2]
    latencies = [0.3, 0.25, 0.04, 0.01]  # decided at 0.3, 0.35, 0.19, 0.21
    assert load.in_system(arrivals, latencies) == (3, 3)


def test_the_summary_reads_percentiles_batches_and_keeping_up_from_the_run() -> None:
    arrivals = [i / 100 for i in range(100)]
    run = load.OpenLoopRun(latencies=[0.002] * 98 + [0.02, 0.004], batches=[1] * 96 + [2, 2],
                           reads=[0.002] * 98, cpu_seconds=0.3, decisions=[None] * 100)
    row = load.summarise(100.0, arrivals, run)
    assert row["p50_ms"] == 2.0 and row["p99_ms"] == 4.0 and row["max_ms"] == 20.0
    assert row["mean_batch"] == pytest.approx(100 / 98, abs=0.01)
    assert row["cpu_ms_per_message"] == 3.0
    assert row["kept_up"] and row["drain_ms"] == 4.0


def test_the_figure_is_the_highest_rate_that_kept_up_within_the_p99_target() -> None:
    rows = [{"offered_per_second": 100, "kept_up": True, "p99_ms": 9.0},
            {"offered_per_second": 200, "kept_up": True, "p99_ms": 12.0},
            {"offered_per_second": 300, "kept_up": True, "p99_ms": 9.5},
            {"offered_per_second": 400, "kept_up": False, "p99_ms": 8.0}]
    assert load.best_rate(rows) == 300
    assert load.highest_kept_up(rows) == 300
    assert load.best_rate(rows[1:2]) is None


def test_runs_added_to_the_output_give_each_modes_ranges(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def a_run(p99: float, best: float | None) -> dict[str, object]:
        row = {"offered_per_second": 100.0, "achieved_per_second": 100, "p50_ms": 3.0, "p95_ms": 5.0,
               "p99_ms": p99, "max_ms": 20.0, "mean_batch": 1.1, "cpu_ms_per_message": 3.0, "kept_up": True}
        return {"rates": [row], "best_rate_p99_10ms": best, "highest_rate_kept_up": 100.0,
                "load_average_1min_start_end": [0.5, 0.7]}

    path = tmp_path / "load.json"
    load.add_run(path, "labelled", a_run(9.0, 100.0))
    figures = load.add_run(path, "labelled", a_run(12.0, None))
    ranges = figures["labelled"]["ranges"]
    assert ranges["runs"] == 2 and ranges["best_rate_p99_10ms"] == 100.0
    assert ranges["per_rate"]["100.0"]["p99_ms"] == [9.0, 12.0]
    assert ranges["per_rate"]["100.0"]["kept_up"] == "2/2"
    assert ranges["load_average_1min"] == [0.5, 0.7]
