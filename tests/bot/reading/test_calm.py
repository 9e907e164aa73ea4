"""The calm part retrained beside a kept danger part: the same escalations to the message, its own calm intents."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from bot.domain import Action, Intent
from bot.evaluate import Labelled, read_labelled
from bot.reading.calm import (
    DANGER_FROM,
    danger_recipe,
    danger_source,
    held_out_danger,
    train_calm,
    trained_danger_on,
    watch_thresholds,
)
from bot.reading.danger import DangerThresholds, caught_by_rule
from bot.reading.training import TrainingReport
from bot.reading.gate import trained_on_digests
from bot.reading.danger import DangerReading
from bot.reading.model import DANGER_READING_FORMAT, FAQ_FORMAT, INTENTS, ReaderModel
from bot.reading.router import Router
from bot.reading.training import TrainingParams, encode_all, recipe_of
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL, EVAL_NOW, REPO

TINY = TrainingParams(folds=2, epochs=25, vocabulary=400, keep_danger=True, watch_band=True)
NEW_FILE = REPO / "knowledge" / "training" / "writer10_danger.jsonl"


@lru_cache(maxsize=1)
def _tiny() -> tuple[list[Labelled], list[str]]:
    """Six messages of each intent from the router's cases (the shipped model trained on them) and twelve of a file
    it never saw (calm and understated emergencies of the tenth writer)."""
    seen: dict[str, int] = {}
    chosen, groups = [], []
    for record in read_labelled(REPO / "tests" / "bot" / "router_cases.jsonl"):
        if seen.get(record.intent, 0) < 6:
            seen[record.intent] = seen.get(record.intent, 0) + 1
            chosen.append(record)
            groups.append("router_cases.jsonl")
    new = read_labelled(NEW_FILE)
    for intent in ("emergency", "complaint", "other"):
        picked = [r for r in new if r.intent == intent][:4]
        chosen += picked
        groups += [NEW_FILE.name] * len(picked)
    return chosen, groups


@lru_cache(maxsize=1)
def _trained() -> tuple[ReaderModel, TrainingReport]:
    examples, groups = _tiny()
    return train_calm(examples, eval_knowledge(), ReaderModel.cached(), now=EVAL_NOW, params=TINY, groups=groups)


def _split() -> ReaderModel:
    return _trained()[0]


@lru_cache(maxsize=1)
def _texts() -> tuple[list[str], np.ndarray]:
    """The eval dev set and two training files (one the shipped model trained on, one it never saw), encoded."""
    texts = [r.text for r in read_labelled(EVAL / "dev.jsonl")]
    for name in ("danger_now_vs_lookalikes.jsonl", "writer10_danger.jsonl"):
        texts += [r.text for r in read_labelled(REPO / "knowledge" / "training" / name)]
    return texts, encode_all(texts)


def test_a_split_model_escalates_exactly_what_its_danger_model_escalates() -> None:
    texts, emb = _texts()
    shipped, split = ReaderModel.cached().read_many(texts, emb), _split().read_many(texts, emb)
    assert len(texts) > 600
    assert [r.in_danger for r in split] == [r.in_danger for r in shipped]
    assert [r.danger for r in split] == [r.danger for r in shipped]
    assert [r.language for r in split] == [r.language for r in shipped]


def test_a_split_models_decisions_escalate_as_its_danger_models() -> None:
    texts, _ = _texts()
    texts = texts[:: 4]
    shipped = Router(eval_knowledge(), model=ReaderModel.cached()).route_many(texts, now=EVAL_NOW)
    split = Router(eval_knowledge(), model=_split()).route_many(texts, now=EVAL_NOW)
    assert [d.action == Action.ESCALATE for d in split] == [d.action == Action.ESCALATE for d in shipped]
    assert any(d.action == Action.ESCALATE for d in split)


def test_a_calm_message_takes_the_likeliest_calm_intent_of_the_calm_head() -> None:
    texts, emb = _texts()
    model = _split()
    readings = model.read_many(texts, emb)
    calm_p = model.calm_head.proba(model.vocabulary.rows(texts, emb))  # type: ignore[union-attr]
    calm = [i for i, intent in enumerate(INTENTS) if intent != Intent.EMERGENCY]
    for reading, row in zip(readings, calm_p):
        assert np.allclose(list(reading.probabilities.values()), row, atol=1e-4)
        if not reading.in_danger:
            assert reading.intent == INTENTS[max(calm, key=lambda j: row[j])]
    assert not np.allclose(calm_p, model.intent_head.proba(model.vocabulary.rows(texts, emb)), atol=1e-2)


def test_the_batched_heads_of_a_split_model_read_as_its_dense_heads() -> None:
    model = _split()
    texts = ["il 64 passa stamattina?", "un uomo è svenuto sulla banchina a Termini", "¿dónde compro el billete?"]
    for b, d in zip(model.read_many(texts), model.read_rows(model.features(texts))):
        assert (b.intent, b.in_danger, b.category, b.language) == (d.intent, d.in_danger, d.category, d.language)
        assert np.allclose(list(b.probabilities.values()), list(d.probabilities.values()), atol=1e-4)


def test_a_split_model_decides_the_same_batched_and_alone() -> None:
    texts = [r.text for r in read_labelled(REPO / "tests" / "bot" / "router_cases.jsonl")]
    router = Router(eval_knowledge(), model=_split())
    batched = [d for i in range(0, len(texts), 32) for d in router.route_many(texts[i:i + 32], now=EVAL_NOW)]
    alone = [router.route(text, now=EVAL_NOW) for text in texts]
    assert [(d.intent, d.action, d.category, d.faq_id) for d in batched] == [
        (d.intent, d.action, d.category, d.faq_id) for d in alone]
    assert max(abs(b.confidence - a.confidence) for b, a in zip(batched, alone)) <= 1e-6


def test_a_split_model_says_which_model_its_danger_part_came_from() -> None:
    model, shipped = _split(), ReaderModel.cached()
    # the shipped model is itself a split model (2026-12-05): a split of it names the model its danger part came from
    assert shipped.calm_head is not None and model.info[DANGER_FROM] == shipped.info[DANGER_FROM]
    assert danger_source(model) == danger_source(shipped) == shipped.info[DANGER_FROM]
    assert recipe_of(model) == TINY and danger_recipe(model) == danger_recipe(shipped)
    assert model.info["held_out"]["danger_threshold"] == round(shipped.danger_threshold, 4)


def test_a_model_with_no_recorded_danger_source_is_its_own() -> None:
    shipped = ReaderModel.cached()
    whole = replace(shipped, calm_head=None, info={k: v for k, v in shipped.info.items() if k != DANGER_FROM})
    assert danger_source(whole)["version"] == whole.version and danger_recipe(whole) == recipe_of(whole)
    assert danger_source(whole)["trained_on"] == list(whole.info.get("trained_on") or ())


def test_a_split_model_saves_and_loads_as_trained(tmp_path: Path) -> None:
    model = _split()
    model.save(tmp_path / "split.npz")
    loaded = ReaderModel.load(tmp_path / "split.npz")
    texts, emb = _texts()
    assert loaded.calm_head is not None and loaded.info[DANGER_FROM] == model.info[DANGER_FROM]
    assert [r.intent for r in loaded.read_many(texts, emb)] == [r.intent for r in model.read_many(texts, emb)]
    assert loaded.faq_prototypes is not None and model.faq_prototypes is not None
    assert loaded.faq_prototypes.to_meta() == model.faq_prototypes.to_meta()
    with np.load(tmp_path / "split.npz") as data:  # code that reads only formats 1 to 3 refuses it
        assert json.loads(bytes(data["meta"]).decode())["format"] == DANGER_READING_FORMAT
    replace(model, danger_reading=DangerReading.MEAN).save(tmp_path / "mean.npz")
    with np.load(tmp_path / "mean.npz") as data:  # danger read as code before it reads it: code of format 3 reads it
        assert json.loads(bytes(data["meta"]).decode())["format"] == FAQ_FORMAT
    replace(model, faq_prototypes=None, danger_reading=DangerReading.MEAN).save(tmp_path / "plain.npz")
    with np.load(tmp_path / "plain.npz") as data:  # without prototypes: code that reads only format 1 refuses it
        assert json.loads(bytes(data["meta"]).decode())["format"] == 2


def test_a_model_without_a_calm_head_saves_and_reads_as_before(tmp_path: Path) -> None:
    # the shipped model has a calm head since 2026-12-05, FAQ prototypes and a watch band since 2026-12-05 evening, and
    # reads danger by the intent head alone since 2026-12-06
    shipped = replace(ReaderModel.load(), calm_head=None, faq_prototypes=None, watch_thresholds=None,
                      danger_reading=DangerReading.MEAN)
    shipped.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        assert json.loads(bytes(data["meta"]).decode())["format"] == 1 and "calm_head.w" not in data
    texts, emb = _texts()
    again = ReaderModel.load(tmp_path / "m.npz").read_many(texts[:50], emb[:50])
    assert [(r.intent, r.in_danger, r.danger) for r in again] == [
        (r.intent, r.in_danger, r.danger) for r in shipped.read_many(texts[:50], emb[:50])]


def test_the_danger_part_trained_on_is_known_by_digest_or_else_by_file() -> None:
    examples, groups = _tiny()
    shipped = ReaderModel.cached()
    by_digest = trained_danger_on(shipped, examples, groups)
    assert by_digest.tolist() == [g == "router_cases.jsonl" for g in groups]
    older = replace(shipped, info={"sources": {"router_cases.jsonl": 109}})
    assert trained_danger_on(older, examples, groups).tolist() == by_digest.tolist()
    narrow = replace(shipped, info={"trained_on": trained_on_digests(examples[:3])})
    assert trained_danger_on(narrow, examples, groups).tolist() == [i < 3 for i in range(len(examples))]


def test_the_danger_part_is_read_out_of_fold_on_the_messages_it_trained_on() -> None:
    examples, groups = _tiny()
    texts = [e.text for e in examples]
    shipped = ReaderModel.cached()
    emb = encode_all(texts)
    own = shipped.read_many(texts, emb)
    seen = trained_danger_on(shipped, examples, groups)
    danger, in_danger = held_out_danger(shipped, examples, groups, emb, seen, own)
    assert danger[~seen].tolist() == [r.danger for r, s in zip(own, seen) if not s]  # new to it: its own reading
    assert in_danger[~seen].tolist() == [r.in_danger for r, s in zip(own, seen) if not s]
    assert not np.allclose(danger[seen], [r.danger for r, s in zip(own, seen) if s])  # trained on: out of fold
    nothing = held_out_danger(shipped, examples, groups, emb, np.zeros(len(examples), bool), own)
    assert nothing[0].tolist() == [r.danger for r in own]


def test_a_split_model_is_calibrated_on_held_out_readings() -> None:
    model = _split()
    held = model.info["held_out"]
    assert 0.0 <= model.auto_threshold <= 1.01 and held["auto_threshold"] == round(model.auto_threshold, 4)
    assert held["danger_read_out_of_fold"] == 36 and held["emergency_recall"] > 0.0
    assert model.calibrator.weights.shape != ReaderModel.cached().calibrator.weights.shape or not np.allclose(
        model.calibrator.weights, ReaderModel.cached().calibrator.weights)


@pytest.mark.parametrize("name", ["intent_head", "danger_head", "language_head", "vocabulary"])
def test_a_split_model_keeps_every_part_of_the_danger_reading(name: str) -> None:
    assert getattr(_split(), name) is getattr(ReaderModel.cached(), name)


def test_a_split_model_sets_watch_thresholds_never_above_its_danger_thresholds() -> None:
    watch, kept = _split().watch_thresholds, ReaderModel.cached().danger_thresholds
    assert watch is not None
    for language in ("it", "en", "es", None):
        assert watch.of(language, 1.0) <= kept.of(language, 1.0)
    assert watch.default < kept.default  # the tenth writer's understated emergencies open a band


def test_every_held_out_emergency_is_at_or_above_its_watch_threshold() -> None:
    examples, _groups = _tiny()
    model, report = _trained()
    danger = report.calibration[3]  # the held-out danger scores the calibrator learned from
    readings = model.read_many([e.text for e in examples])
    limits = model.watch_thresholds.each([r.language for r in readings], [r.language_probability for r in readings])
    counted = np.array([e.intent == "emergency" for e in examples]) & ~caught_by_rule([e.text for e in examples])
    assert counted.sum() >= 8 and (danger[counted] >= limits[counted]).all()


def test_the_held_out_figures_say_what_the_lane_catches_and_the_band_adds() -> None:
    held = _split().info["held_out"]
    assert held["emergencies"] == 10  # six of the router's cases, four of the tenth writer's
    assert held["emergencies_escalated"] + held["emergencies_watched"] == held["emergencies"]
    assert held["watched_recall"] == 1.0 and 0.0 <= held["watch_rate"] <= 1.0
    assert held["watch_threshold"] == round(_split().watch_thresholds.default, 4)


def test_a_split_model_of_the_default_recipe_has_no_band_but_reports_what_one_would_hold() -> None:
    examples, groups = _tiny()
    model, report = train_calm(examples, eval_knowledge(), ReaderModel.cached(), now=EVAL_NOW,
                               params=replace(TINY, watch_band=False), groups=groups)
    assert model.watch_thresholds is None
    assert report.held_out["watch_threshold"] == round(_split().watch_thresholds.default, 4)
    texts, emb = _texts()
    assert not any(r.watched for r in model.read_many(texts, emb))


def test_the_recipe_of_a_model_says_whether_it_keeps_a_band() -> None:
    assert recipe_of(_split()).watch_band
    assert not recipe_of(replace(_split(), watch_thresholds=None, info={})).watch_band
    assert not TrainingParams(keep_danger=True).watch_band  # sportello train --recipe split


def test_a_band_above_the_kept_thresholds_is_cut_to_them() -> None:
    examples = [Labelled(f"e{n}", f"aiuto sul 64 ({n})", None, "it", "emergency", frozenset(), frozenset(), None,
                         frozenset(), None, False) for n in range(25)]
    kept = DangerThresholds(0.2, {"it": 0.25})
    watch = watch_thresholds(np.full(25, 0.4), examples, ["it"] * 25, [0.9] * 25, TrainingParams(), kept)
    assert watch == kept  # no emergency under the lane: the band is empty


def test_a_split_model_saves_and_loads_its_watch_thresholds(tmp_path: Path) -> None:
    _split().save(tmp_path / "split.npz")
    assert ReaderModel.load(tmp_path / "split.npz").watch_thresholds == _split().watch_thresholds


def test_the_calm_part_is_read_and_calibrated_on_folds_that_never_split_a_writer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.reading.calm as calm
    from bot.reading.training import writer_folds

    examples, groups = _tiny()
    params = replace(TINY, writer_folds=True)
    fitted_on: list[int] = []
    calibrated_on: list[np.ndarray] = []
    real_fit, real_calibrated = calm.fit_calm_head, calm.calibrated

    def fit_spy(x, intents, params):  # type: ignore[no-untyped-def]
        fitted_on.append(len(intents))
        return real_fit(x, intents, params)

    def calibrated_spy(readings, examples, draft, knowledge, now, fold, folds, params, prototypes=None):  # type: ignore[no-untyped-def]
        calibrated_on.append(fold)
        return real_calibrated(readings, examples, draft, knowledge, now, fold, folds, params, prototypes)

    monkeypatch.setattr(calm, "fit_calm_head", fit_spy)
    monkeypatch.setattr(calm, "calibrated", calibrated_spy)
    model, _ = train_calm(examples, eval_knowledge(), ReaderModel.cached(), now=EVAL_NOW, params=params, groups=groups)
    fold = writer_folds(examples, groups, 2, 0)
    assert calibrated_on[0].tolist() == fold.tolist()
    assert set(fold[np.array(groups) == NEW_FILE.name].tolist()) == {1}  # the tenth writer's twelve: a fold alone
    # the calm heads of the held-out readings: one fitted without each writer, then the final one on every message
    assert fitted_on == [len(examples) - int((fold == 0).sum()), len(examples) - int((fold == 1).sum()), len(examples)]
    assert recipe_of(model).writer_folds


def test_the_danger_part_of_a_model_that_records_no_fold_setting_is_read_on_random_folds() -> None:
    # the model in service was trained before writer folds: its danger part's held-out readings stay as they were,
    # whatever writers the messages it trained on come from
    shipped = ReaderModel.cached()
    assert "writer_folds" not in danger_source(shipped)["params"] and not danger_recipe(shipped).writer_folds
    examples, groups = _tiny()
    texts = [e.text for e in examples]
    emb = encode_all(texts)
    own = shipped.read_many(texts, emb)
    seen = trained_danger_on(shipped, examples, groups)
    writers = [f"writer{i % 3}_it.jsonl" for i in range(len(examples))]
    as_before = held_out_danger(shipped, examples, groups, emb, seen, own)
    by_writer = held_out_danger(shipped, examples, writers, emb, seen, own)
    assert as_before[0].tolist() == by_writer[0].tolist() and as_before[1].tolist() == by_writer[1].tolist()
    grouped = replace(shipped, info={**shipped.info, DANGER_FROM: {**danger_source(shipped), "params": {
        **danger_source(shipped)["params"], "writer_folds": True}}})
    assert held_out_danger(grouped, examples, writers, emb, seen, own)[0].tolist() != by_writer[0].tolist()
