"""The reader's training files: every line a labelled message the loader reads, with labels that follow the rules."""

from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from bot.evaluate import read_labelled
from tests.conftest import EVAL, REPO

TRAINING = sorted((REPO / "knowledge" / "training").glob("*.jsonl"))
FIELDS = ["id", "channel", "text", "lang", "intent", "danger", "routes", "stops", "faq_id", "alert_ids", "category",
          "auto_ok"]
INTENTS = {"status", "faq", "complaint", "emergency", "feedback", "other"}
CATEGORIES = {"delay", "crowding", "skipped_stop", "cleanliness", "climate", "staff", "accessibility", "safety",
              "ticketing", "information", "other"}
AUTO = {"status", "faq", "feedback"}


@lru_cache(maxsize=1)
def _reference() -> tuple[set[str], set[str], set[str], set[str]]:
    """Route ids, stop names, FAQ ids and alert ids of the shared evaluation scenario."""
    with open(EVAL / "gtfs" / "routes.txt", encoding="utf-8-sig") as fh:
        routes = {row["route_id"] for row in csv.DictReader(fh)}
    with open(EVAL / "gtfs" / "stops.txt", encoding="utf-8-sig") as fh:
        stops = {row["stop_name"] for row in csv.DictReader(fh)}
    faq = {entry["id"] for path in (EVAL / "faq").glob("*.yaml") for entry in yaml.safe_load(path.read_text("utf-8"))}
    alerts = set(re.findall(r'^entity \{\n  id: "([^"]+)"', (EVAL / "alerts.textproto").read_text("utf-8"), re.M))
    return routes, stops, faq, alerts


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_there_are_training_files() -> None:
    assert TRAINING, "no knowledge/training/*.jsonl"


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: p.name)
def test_every_line_is_a_labelled_message_the_loader_reads(path: Path) -> None:
    records = _records(path)
    assert len(read_labelled(path)) == len(records) > 0
    for record in records:
        assert list(record) in (FIELDS, [*FIELDS, "lookalike"]), record["id"]


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: p.name)
def test_labels_follow_the_rules(path: Path) -> None:
    routes, stops, faq, alerts = _reference()
    for r in _records(path):
        where = f"{path.name} {r['id']}"
        assert r["id"].startswith("tr-") and r["text"].strip(), where
        assert r["channel"] in {"x", "telegram", "web"}, where
        assert re.fullmatch(r"[a-z]{2}", r["lang"]), where
        assert r["intent"] in INTENTS, where
        assert r["danger"] is (r["intent"] == "emergency"), where
        assert r["auto_ok"] is (r["intent"] in AUTO), where
        assert (r["category"] in CATEGORIES) if r["intent"] == "complaint" else r["category"] is None, where
        assert (r["faq_id"] in faq) if r["intent"] == "faq" else r["faq_id"] is None, where
        assert set(r["routes"]) <= routes, where
        assert set(r["stops"]) <= stops, where
        assert r["alert_ids"] is None or set(r["alert_ids"]) <= alerts, where  # None: a file without alert labels
        if "lookalike" in r:  # a calm message written to look like danger: only ever true, never an emergency
            assert r["lookalike"] is True and r["intent"] != "emergency", where


def test_ids_and_texts_are_unique_across_the_training_files() -> None:
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    for path in TRAINING:
        for r in _records(path):
            assert r["id"] not in ids, f"{r['id']} in {path.name} and {ids[r['id']]}"
            ids[r["id"]] = path.name
            key = r["text"].strip().lower()
            assert key not in texts, f"{r['text']!r} in {path.name} and {texts[key]}"
            texts[key] = path.name


RETIRED = sorted((REPO / "knowledge" / "training" / "retired").glob("*.jsonl"))
SEALED_FIELDS = ["id", "channel", "text", "lang", "intent", "routes", "stops", "faq_id", "alert_ids", "category",
                 "auto_ok"]


@pytest.mark.parametrize("path", RETIRED, ids=lambda p: p.name)
def test_a_retired_sealed_set_keeps_the_sealed_labels_and_names_what_the_scenario_holds(path: Path) -> None:
    """Sealed sets retired into training keep their own conventions (``danger``, where a writer gave it, says
    emergency; a message in a language the operator does not serve is never fit to go out alone), and every label
    names a real route, stop, FAQ entry and alert."""
    routes, stops, faq, alerts = _reference()
    records = _records(path)
    assert len(read_labelled(path)) == len(records) >= 200
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        where = f"{path.name} {r['id']}"
        assert [k for k in r if k != "danger"] == SEALED_FIELDS, where
        assert r.get("danger", r["intent"] == "emergency") is (r["intent"] == "emergency"), where
        assert r["intent"] in INTENTS, where
        assert r["auto_ok"] is (r["intent"] in AUTO and r["lang"] in {"it", "en"}), where
        assert (r["faq_id"] in faq) if r["faq_id"] is not None else True, where
        assert set(r["routes"]) <= routes, where
        assert {stop.upper() for stop in r["stops"]} <= {stop.upper() for stop in stops}, where  # upper case here
        assert set(r["alert_ids"] or ()) <= alerts, where
