"""``sportello faq match``: the FAQ engine alone, JSON Lines in and out."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import EVAL, REPO


SMALL_WATER_FAQ = REPO / "tests" / "knowledge" / "data" / "water_faq_small.yaml"


def _match(stdin: str, *flags: str, faq: str = str(EVAL / "faq")) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "faq", "match", "--faq", faq, *flags],
        input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120, check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_question_is_matched_to_its_entry() -> None:
    out = _match('{"id": "q1", "text": "How much does a single bus ticket cost?"}\n')
    assert out[0]["id"] == "q1"
    assert out[0]["faq_id"] == "tickets.price"
    assert isinstance(out[0]["score"], float)


def test_no_good_match_is_a_null_faq_id() -> None:
    out = _match('{"id": "q2", "text": "chi ha vinto il derby ieri sera?"}\n')
    assert out[0]["faq_id"] is None


def test_a_threshold_of_one_answers_nothing() -> None:
    out = _match('{"id": "q3", "text": "How much does a single bus ticket cost?"}\n', "--threshold", "1.0")
    assert out[0]["faq_id"] is None


def test_a_bad_line_yields_an_error_and_the_run_goes_on() -> None:
    out = _match('oops\n{"id": "q4", "text": "dove compro il biglietto?"}\n')
    assert out[0]["id"] is None and "error" in out[0]
    assert out[1]["id"] == "q4"


def test_the_fused_engine_matches_a_utility_faq() -> None:
    stdin = (
        '{"id": "w1", "text": "come faccio la voltura del contratto dell\'acqua?"}\n'
        '{"id": "w2", "text": "chi ha vinto il derby ieri sera?"}\n'
    )
    out = _match(stdin, "--engine", "fused", faq=str(SMALL_WATER_FAQ))
    assert [o["faq_id"] for o in out] == ["contract.transfer", None]
