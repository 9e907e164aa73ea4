"""bench/figures_table.py: the README's table of figures is the one the bench results give."""

from __future__ import annotations

from pathlib import Path

from bench.figures_table import BEGIN, END, from_results, in_readme, pooled, render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_holds_the_table_the_bench_results_give() -> None:
    assert in_readme(README.read_text(encoding="utf-8")) == from_results(), (
        "the README's figures differ from bench/results: run python bench/figures_table.py and paste its table")


def test_sets_are_pooled_from_their_precision_and_coverage() -> None:
    rows = [{"auto_posted": 100, "auto_precision": 0.99, "auto_coverage": 0.5},  # 99 right of 198 answerable
            {"auto_posted": 50, "auto_precision": 1.0, "auto_coverage": 0.25}]  # 50 right of 200
    assert pooled(rows) == {"posted": 150, "wrong": 1, "precision": 149 / 150, "coverage": 149 / 398}


def test_a_set_the_previous_router_never_read_shows_the_reader_alone() -> None:
    current = {"sealed/rome_sealed": {"messages": 10, "intent_accuracy": 0.9, "auto_posted": 4, "auto_precision": 1.0,
                                      "auto_coverage": 0.5, "emergency_recall": 1.0, "false_alarm_rate": 0.0}}
    table = render({}, current)
    assert table.startswith(BEGIN) and table.endswith(END)
    assert "| `rome_sealed` (sealed, read) | 10 | **0.900** | **4: 1.000 / 0.500** | **1.000** | **0.000** |" in table
    assert "pooled" not in table  # one set is its own row


def test_two_sealed_sets_are_pooled_for_the_reader_and_for_the_previous_router_where_it_read_both() -> None:
    row = {"messages": 10, "intent_accuracy": 0.9, "auto_posted": 4, "auto_precision": 1.0, "auto_coverage": 0.5,
           "emergency_recall": 1.0, "false_alarm_rate": 0.0}
    current = {"sealed/rome_sealed_16": row, "sealed/rome_sealed_17": row}
    table = render({"sealed/rome_sealed_16": row}, current)
    assert "| the 2 sealed Rome sets pooled, reader in service | 20 | | 8, 0 wrong: 1.000 / 0.500 | | |" in table
    assert "pooled, previous router" not in table


def test_a_retired_set_is_shown_as_trained_on_and_left_out_of_the_unseen_pool() -> None:
    row = {"messages": 10, "intent_accuracy": 0.9, "auto_posted": 4, "auto_precision": 1.0, "auto_coverage": 0.5,
           "emergency_recall": 1.0, "false_alarm_rate": 0.0}
    current = {"retired/rome_sealed_2": row, "sealed/rome_sealed_16": {**row, "auto_posted": 2},
               "sealed/rome_sealed_17": {**row, "auto_posted": 2}}
    table = render({}, current)
    assert "| `rome_sealed_2` (sealed, read, then trained on) | 10 |" in table
    assert "| the 2 sealed Rome sets pooled, reader in service | 20 | | 4, 0 wrong:" in table


def test_every_read_danger_set_has_its_row_in_number_order() -> None:
    row = {"messages": 10, "danger": 5, "lookalikes": 5, "emergency_recall": 1.0, "false_alarm_rate": 0.2}
    current = {"sealed/danger_multilingual_10": row, "sealed/danger_multilingual": row, "sealed/danger_multilingual_5": row}
    table = render({}, current)
    rows = [line for line in table.splitlines() if "danger now and look-alikes" in line]
    assert [r.split("`")[1] for r in rows] == ["danger_multilingual", "danger_multilingual_5", "danger_multilingual_10"]
