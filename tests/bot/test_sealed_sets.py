"""The sealed sets load and are well formed: checks of structure only, never of any message's wording.

A sealed set that no longer loads would silently drop out of ``bench/reader_sets.py``; these tests make
that loud. They assert nothing about what the messages say, so running them reveals nothing to tuning.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.domain import Intent
from bot.evaluate import read_labelled
from tests.conftest import REPO, SHARED

SEALED = REPO / "tests" / "sealed"
INTENTS = {intent.value for intent in Intent}
AUTO_OK_INTENTS = {"status", "faq", "feedback"}


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", sorted(SEALED.glob("rome*.jsonl")), ids=lambda p: p.stem)
def test_a_sealed_rome_set_loads_as_labelled_messages(path: Path) -> None:
    labelled = read_labelled(path)
    assert len(labelled) >= 200
    assert len({item.id for item in labelled}) == len(labelled)
    assert {item.intent for item in labelled} <= INTENTS
    assert all(item.auto_ok == (item.intent in AUTO_OK_INTENTS and item.lang in {"it", "en"}) for item in labelled)


@pytest.mark.parametrize("path", sorted(SEALED.glob("danger*.jsonl")), ids=lambda p: p.stem)
def test_a_sealed_danger_set_holds_danger_and_look_alikes(path: Path) -> None:
    rows = _rows(path)
    flags = [row["danger"] for row in rows]
    assert all(isinstance(flag, bool) for flag in flags)
    assert flags.count(True) >= 30 and flags.count(False) >= 30
    assert all((row["intent"] == "emergency") == row["danger"] for row in rows)


def test_the_care_tweet_labels_cover_every_tweet_once() -> None:
    with (SHARED / "benchmarks" / "twcs_transport" / "twcs_transport_opening_messages.csv").open(encoding="utf-8") as fh:
        tweet_ids = [row["tweet_id"] for row in csv.DictReader(fh)]
    rows = _rows(SEALED / "twcs_transport_labels.jsonl")
    assert sorted(str(row["tweet_id"]) for row in rows) == sorted(tweet_ids)
    assert {row["intent"] for row in rows} <= INTENTS
    assert all(row["auto_ok"] == (row["intent"] in AUTO_OK_INTENTS) for row in rows)


def test_the_water_questions_name_entries_of_the_real_faq() -> None:
    with (SHARED / "benchmarks" / "it_water_faq" / "faqs_uft8_QA.csv").open(encoding="utf-8") as fh:
        entry_ids = {row["id"] for row in csv.DictReader(fh, delimiter=";")}
    rows = _rows(SEALED / "water_questions.jsonl")
    assert len(rows) >= 50
    assert all(row["faq_id"] is None or str(row["faq_id"]) in entry_ids for row in rows)
    assert all((row["faq_id"] is None) == (row["kind"] != "answerable") for row in rows)
