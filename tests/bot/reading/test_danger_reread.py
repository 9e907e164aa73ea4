"""A model's danger part read another way: heads kept, thresholds from its own held-out readings, judged unseen."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.domain import Intent
from bot.evaluate import Labelled, read_labelled
from bot.reading.calm import DANGER_FROM, danger_recipe, held_out_danger, trained_danger_on
from bot.reading.danger import FLOOR, DangerReading, caught_by_rule
from bot.reading.danger_reread import escalated, judged, reread_danger
from bot.reading.gate import Refusal
from bot.reading.model import HEADS, ReaderModel
from bot.reading.training import encode_all, recipe_of
from tests.conftest import EVAL, REPO

SEEN = REPO / "tests" / "bot" / "router_cases.jsonl"  # the shipped danger part trained on it
UNSEEN = REPO / "knowledge" / "training" / "writer10_danger.jsonl"  # written after it: never seen


@lru_cache(maxsize=1)
def _examples() -> tuple[list[Labelled], list[str], np.ndarray]:
    """The router's cases (every emergency and twenty calm ones) and forty messages of a file the danger part never
    saw (twenty emergencies, twenty calm), with their embeddings."""
    seen = read_labelled(SEEN)
    chosen = [r for r in seen if r.intent == "emergency"] + [r for r in seen if r.intent != "emergency"][:20]
    unseen = read_labelled(UNSEEN)
    new = [r for r in unseen if r.intent == "emergency"][:20] + [r for r in unseen if r.intent != "emergency"][:20]
    groups = [SEEN.name] * len(chosen) + [UNSEEN.name] * len(new)
    examples = chosen + new
    return examples, groups, encode_all([e.text for e in examples])


@lru_cache(maxsize=2)
def _reread(reading: DangerReading) -> tuple[ReaderModel, object]:
    examples, groups, embeddings = _examples()
    return reread_danger(ReaderModel.cached(), reading, examples, groups, embeddings)


def test_a_reread_model_keeps_every_head_and_the_calm_part() -> None:
    shipped = ReaderModel.cached()
    other = DangerReading.MEAN if shipped.danger_reading != DangerReading.MEAN else DangerReading.DANGER_HEAD
    model, _verdict = _reread(other)
    assert model.danger_reading == other and model.version != shipped.version
    for name in (*HEADS, "calm_head"):
        assert np.array_equal(getattr(model, name).weights, getattr(shipped, name).weights)
    assert model.auto_threshold == shipped.auto_threshold and model.vocabulary is shipped.vocabulary
    assert model.info["reread_from"] == shipped.version


def test_a_reread_model_records_its_reading_in_both_recipes() -> None:
    model, _verdict = _reread(DangerReading.MEAN)
    assert model.info[DANGER_FROM]["params"]["danger_reading"] == "mean"
    assert danger_recipe(model).danger_reading == DangerReading.MEAN
    assert recipe_of(model).danger_reading == DangerReading.MEAN


def test_the_reread_threshold_is_the_weakest_held_out_emergency_the_danger_part_trained_on() -> None:
    examples, groups, embeddings = _examples()
    model, _verdict = _reread(DangerReading.MEAN)
    seen = trained_danger_on(model, examples, groups)
    assert seen.sum() == len([g for g in groups if g == SEEN.name])  # the router's cases, by digest
    danger, _ = held_out_danger(model, examples, groups, embeddings, seen, model.read_many(
        [e.text for e in examples], embeddings))
    counted = seen & np.array([e.intent == Intent.EMERGENCY for e in examples]) & ~caught_by_rule(
        [e.text for e in examples])
    assert model.danger_by_language == {}  # too few emergencies for a language of its own
    assert model.danger_threshold == pytest.approx(max(FLOOR, float(danger[counted].min())), abs=1e-6)


def test_a_reading_is_judged_on_the_messages_its_danger_part_never_trained_on() -> None:
    _model, verdict = _reread(DangerReading.MEAN)
    assert verdict.held_out == 40 and verdict.emergencies == 20
    assert set(verdict.candidate) == {"emergency_recall", "false_alarm_rate"}


def test_a_reading_that_misses_an_emergency_more_is_refused() -> None:
    examples, _groups, embeddings = _examples()
    unseen = slice(-40, None)
    current = ReaderModel.cached()
    deaf = replace(current, danger_threshold=0.5, danger_by_language={})
    assert escalated(deaf, examples[unseen], embeddings[unseen]).sum() < escalated(
        current, examples[unseen], embeddings[unseen]).sum()
    verdict = judged(current, deaf, examples[unseen], embeddings[unseen])
    assert not verdict.accepted and "emergency_recall" in verdict.worse and verdict.refusal == Refusal.WORSE


def test_a_reading_that_raises_more_false_alarms_is_refused() -> None:
    examples, _groups, embeddings = _examples()
    unseen = slice(-40, None)
    current = ReaderModel.cached()
    jumpy = replace(current, danger_threshold=FLOOR, danger_by_language={})
    verdict = judged(current, jumpy, examples[unseen], embeddings[unseen])
    assert not verdict.accepted and verdict.worse == ("false_alarm_rate",)


def test_the_same_reading_loses_nothing_and_is_accepted() -> None:
    examples, _groups, embeddings = _examples()
    unseen = slice(-40, None)
    current = ReaderModel.cached()
    verdict = judged(current, current, examples[unseen], embeddings[unseen])
    assert verdict.accepted and verdict.worse == () and verdict.candidate == verdict.in_service


def test_sportello_train_rereads_the_model_in_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples, _groups, _embeddings = _examples()
    files = []
    for name, rows in ((SEEN.name, examples[:-40]), (UNSEEN.name, examples[-40:])):
        path = tmp_path / name
        path.write_text("".join(json.dumps({
            "id": g.id, "text": g.text, "lang": g.lang, "intent": g.intent, "routes": sorted(g.routes),
            "stops": sorted(g.stops), "faq_id": g.faq_id, "alert_ids": sorted(g.alert_ids), "category": g.category,
            "auto_ok": g.auto_ok}) + "\n" for g in rows), encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "reread.npz"
    code = main(["train", "--recipe", "reread", *files, "--output", str(out), "--gtfs", str(EVAL / "gtfs"),
                 "--alerts", str(EVAL / "alerts.pb"), "--faq", str(EVAL / "faq"),
                 "--now", "2026-11-27T08:30:00+01:00"])
    report = json.loads(capsys.readouterr().out)
    written = ReaderModel.load(out)
    assert code == 0 and written.version == report["version"]
    assert written.danger_reading == DangerReading.INTENT  # the code's recipe's reading
    assert report["gate"]["held_out"] == 40 and set(report["candidate"]) == {"emergency_recall", "false_alarm_rate"}
