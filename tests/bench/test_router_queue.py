"""The queue model of the router load test: the load test's loop on a virtual clock, and the read time it asks."""

from __future__ import annotations

import importlib

queue = importlib.import_module("bench.router_queue")


def test_a_lightly_loaded_reader_answers_in_its_read_time() -> None:
    p99 = queue.predicted_p99([0.001] * 500, rate=1.0, factor=1.0, cap=32, seed=3)
    assert abs(p99 - 0.001) < 1e-9  # arrivals a second apart on average: nobody waits


def test_a_reader_slower_than_the_arrivals_falls_ever_further_behind() -> None:
    p99 = queue.predicted_p99([0.001] * 2000, rate=2000.0, factor=1.0, cap=32, seed=3)
    assert p99 > 0.25  # half the work done in the second the messages arrive: the last wait about a second


def test_a_batch_costs_the_sum_of_its_messages_reads() -> None:
    # all eight arrive within microseconds, before the first read ends: batches of at most 4 follow one another
    p99 = queue.predicted_p99([0.01] * 8, rate=1e6, factor=1.0, cap=4, seed=1)
    assert abs(p99 - 0.08) < 1e-4  # the last batch ends when all eight reads of 10 ms are done


def test_a_slower_read_never_predicts_a_shorter_wait() -> None:
    reads = [0.001, 0.002, 0.0015, 0.004] * 250
    p99s = [queue.predicted_p99(reads, rate=500.0, factor=f, cap=32, seed=2) for f in (0.5, 0.8, 1.0, 1.2)]
    assert p99s == sorted(p99s)


def test_the_largest_factor_holds_the_target_and_a_little_more_does_not() -> None:
    reads = [0.001, 0.002, 0.0015, 0.004] * 250
    factor = queue.largest_factor(reads, rate=500.0, cap=32, seeds=[1, 2])
    assert 0 < factor < 4

    def worst(f: float) -> float:
        return max(queue.predicted_p99(reads, 500.0, f, 32, seed) for seed in (1, 2))

    assert worst(factor) <= 0.010 < worst(factor + 4 / 2**19)
