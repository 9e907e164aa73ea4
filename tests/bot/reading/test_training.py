"""Training the reader: a tiny run end to end, the versioned artefact, and the gate of the scheduled retrain."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.config import Settings
from bot.domain import Intent
from bot.errors import ConfigError
from bot.evaluate import Labelled, read_labelled
from bot.reading.danger import DangerReading
from bot.reading.linear import Linear
from bot.reading.model import INTENTS, ModelError, ReaderModel
from bot.reading.retrain import IN_SERVICE, Verdict, no_worse, put_in_service
from bot.reading.training import (
    CORRECTIONS,
    Calibration,
    TrainingParams,
    _folds,
    calm_choice,
    fit_calm_head,
    fit_intent_head,
    held_out_folds,
    lookalikes,
    read_examples,
    recipe_of,
    train,
    writer_folds,
    writer_of,
)
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL, EVAL_NOW, REPO

TINY = TrainingParams(folds=2, epochs=25, vocabulary=400)


def _tiny_set() -> list[Labelled]:
    """Six examples of each intent from the project's own labelled cases."""
    seen: dict[str, int] = {}
    chosen = []
    for record in read_labelled(REPO / "tests" / "bot" / "router_cases.jsonl"):
        if seen.get(record.intent, 0) < 6:
            seen[record.intent] = seen.get(record.intent, 0) + 1
            chosen.append(record)
    return chosen


def test_the_look_alikes_are_the_calm_messages_their_file_marks_so() -> None:
    def labelled(id_: str, intent: str, marked: bool) -> Labelled:
        return Labelled.from_dict({"id": id_, "text": "t", "intent": intent, **({"lookalike": True} if marked else {})})

    rows = [labelled("tr-ds-0001", "emergency", True), labelled("tr-ds-0002", "complaint", True),
            labelled("tr-w7m-003", "other", True), labelled("tr-ds-0004", "complaint", False), labelled("dev-001", "faq", False)]
    assert lookalikes(rows).tolist() == [False, True, True, False, False]


def test_the_seventh_writers_calm_messages_in_other_languages_are_look_alikes() -> None:
    rows = read_labelled(REPO / "knowledge" / "training" / "writer7_ml.jsonl")
    marked = lookalikes(rows)
    assert marked.sum() == sum(r.intent != "emergency" and r.lang != "en" for r in rows) == 111


@lru_cache(maxsize=1)
def _tiny_model() -> ReaderModel:
    model, _report = train(_tiny_set(), eval_knowledge(), now=EVAL_NOW, params=TINY)
    return model


def test_a_tiny_training_run_gives_a_versioned_model_with_held_out_thresholds() -> None:
    model = _tiny_model()
    assert model.version and model.info["examples"] == len(_tiny_set())
    assert 0.0 < model.danger_threshold <= 0.5
    assert 0.0 <= model.auto_threshold <= 1.01
    assert set(model.info["held_out"]) >= {"intent_accuracy", "emergency_recall", "auto_precision"}


def test_a_tiny_training_run_keeps_a_prototype_of_each_faq_entry_it_saw_labelled() -> None:
    model = _tiny_model()
    labelled = {e.faq_id for e in _tiny_set() if e.faq_id}
    assert model.faq_prototypes is not None and set(model.faq_prototypes.ids) == labelled
    assert sum(model.faq_prototypes.counts) == sum(bool(e.faq_id) for e in _tiny_set())


def test_a_model_trained_before_the_faq_prototypes_keeps_choosing_entries_lexically() -> None:
    assert recipe_of(replace(_tiny_model(), faq_prototypes=None, info={"params": {}})).faq_prototypes is False
    assert train(_tiny_set(), eval_knowledge(), now=EVAL_NOW,
                 params=replace(TINY, faq_prototypes=False))[0].faq_prototypes is None


def test_a_saved_model_reads_as_the_one_trained(tmp_path: Path) -> None:
    model = _tiny_model()
    model.save(tmp_path / "m.npz")
    loaded = ReaderModel.load(tmp_path / "m.npz")
    text = "il 64 passa stamattina?"
    assert loaded.version == model.version
    assert np.allclose(list(loaded.read(text).probabilities.values()), list(model.read(text).probabilities.values()),
                       atol=1e-2)


def test_a_file_that_is_no_model_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "m.npz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="m.npz"):
        ReaderModel.load(tmp_path / "m.npz")


def test_the_shipped_model_loads_and_says_which_version_it_is() -> None:
    model = ReaderModel.cached()
    assert model.version and model.info["examples"] > 1000


def test_a_model_worse_on_any_gated_figure_is_refused() -> None:
    current = {"emergency_recall": 1.0, "auto_precision": 0.99, "intent_accuracy": 0.95}
    assert no_worse({**current, "intent_accuracy": 0.96}, current)
    assert not no_worse({**current, "emergency_recall": 0.9, "intent_accuracy": 0.99}, current)
    assert no_worse(current, {})  # nothing in service: anything is better


def test_a_refused_model_is_kept_aside_and_never_put_in_service(tmp_path: Path) -> None:
    model = _tiny_model()
    refused = Verdict(False, {}, {}, model.version)
    assert put_in_service(model, refused, tmp_path) is None
    assert (tmp_path / f"reader-{model.version}.npz").exists() and not (tmp_path / IN_SERVICE).exists()
    assert put_in_service(model, Verdict(True, {}, {}, model.version), tmp_path) == tmp_path / IN_SERVICE


def test_corrections_override_the_label_of_the_same_text(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"text": "il 64 passa?", "intent": "status", "auto_ok": True}) + "\n", encoding="utf-8")
    examples, sources = read_examples([path], [{"text": "il 64 passa?", "intent": "complaint"}])
    assert [e.intent for e in examples] == ["complaint"] and sources == {"set.jsonl": 1, "corrections": 1}


def test_sportello_train_writes_the_model_and_the_gate_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = tmp_path / "tiny.jsonl"
    labelled.write_text("".join(json.dumps({
        "id": g.id, "text": g.text, "intent": g.intent, "routes": sorted(g.routes), "stops": sorted(g.stops),
        "faq_id": g.faq_id, "alert_ids": sorted(g.alert_ids), "category": g.category, "auto_ok": g.auto_ok,
    }) + "\n" for g in _tiny_set()), encoding="utf-8")
    out = tmp_path / "model.npz"
    code = main(["train", str(labelled), "--output", str(out), "--epochs", "20", "--folds", "2",
                 "--gtfs", str(EVAL / "gtfs"), "--alerts", str(EVAL / "alerts.pb"), "--faq", str(EVAL / "faq"),
                 "--now", "2026-11-27T08:30:00+01:00"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and out.exists()
    assert report["written"] == str(out)
    assert set(report["candidate"]) == {"emergency_recall", "auto_precision", "intent_accuracy", "auto_coverage"}
    assert ReaderModel.load(out).version == report["version"]
    # one file: no other file to set a left-out file's thresholds from, nothing can be judged
    assert report["gate"]["folds"] == 1 and report["gate"]["refusal"] == "too_few_held_out"
    assert not report["accepted"]


def _labelled_file(path: Path, rows: list[Labelled]) -> Path:
    path.write_text("".join(json.dumps({
        "id": g.id, "text": g.text, "lang": g.lang, "intent": g.intent, "routes": sorted(g.routes),
        "stops": sorted(g.stops), "faq_id": g.faq_id, "alert_ids": sorted(g.alert_ids), "category": g.category,
        "auto_ok": g.auto_ok,
    }) + "\n" for g in rows), encoding="utf-8")
    return path


def test_a_retrain_records_every_message_it_trained_on_and_counts_the_new_ones(tmp_path: Path) -> None:
    from dataclasses import replace

    from bot.config import ReaderSettings
    from bot.reading.gate import text_digest, trained_on_digests
    from bot.reading.retrain import retrain

    old = _tiny_set()
    service = replace(_tiny_model(), info={**_tiny_model().info, "trained_on": trained_on_digests(old)})
    service.save(tmp_path / "service.npz")
    fresh = read_labelled(REPO / "tests" / "bot" / "fresh_cases.jsonl")
    new = [g for g in fresh if g.intent == "emergency"][:4] + [g for g in fresh if g.intent != "emergency"][:26]
    files = [_labelled_file(tmp_path / "old.jsonl", old), _labelled_file(tmp_path / "new.jsonl", new)]
    settings = Settings(reader=ReaderSettings(model=str(tmp_path / "service.npz")))
    model, verdict = retrain(settings, eval_knowledge(), now=EVAL_NOW, files=files, params=TINY)
    assert verdict.new == len(new) and verdict.groups == 2 and verdict.refusal == "too_few_held_out"
    assert verdict.version == model.version and not verdict.accepted
    assert set(model.info["trained_on"]) == {text_digest(g.text) for g in old + new}


def test_eval_shows_the_previous_model_beside_the_new_one(tmp_path: Path) -> None:
    import argparse

    from bot.evaluate import evaluate_command

    _tiny_model().save(tmp_path / "tiny.npz")
    args = argparse.Namespace(file=str(REPO / "tests" / "bot" / "router_cases.jsonl"), config=None,
                              gtfs=str(EVAL / "gtfs"), alerts=str(EVAL / "alerts.pb"), faq=[str(EVAL / "faq")],
                              now="2026-11-27T08:30:00+01:00", json=True, mistakes=False, model=None,
                              previous=str(tmp_path / "tiny.npz"))
    out = io.StringIO()
    evaluate_command(args, Settings(), out)
    payload = json.loads(out.getvalue())
    assert payload["metrics"]["intent_accuracy"] > payload["previous"]["intent_accuracy"]


def test_the_threshold_is_chosen_on_confidences_from_calibrators_that_never_saw_the_row() -> None:
    # each row has a fact of its own: a calibrator fitted on the row would learn its label, one fitted
    # without it knows nothing of it and gives every row of a fold the same confidence
    from bot.reading.model import CONFIDENCE_FEATURES
    from bot.reading.training import cross_fitted, fit_calibrator, expand

    n = len(CONFIDENCE_FEATURES)
    x = np.eye(n, dtype=np.float32)
    right = np.array([i % 2 for i in range(n)])
    fold = np.array([i % 3 for i in range(n)])
    scores = cross_fitted(x, right, np.ones(n, dtype=bool), fold, 3)
    for k in range(3):
        assert np.ptp(scores[fold == k]) < 1e-6
    in_sample = fit_calibrator(x, right).proba(expand(x))[:, 1]
    assert in_sample[right == 1].min() > in_sample[right == 0].max()  # what the in-sample choice would have seen


def test_a_model_trained_before_the_faq_meaning_facts_reads_with_its_own_facts(tmp_path: Path) -> None:
    from dataclasses import replace

    from bot.reading.linear import Linear
    from bot.reading.model import LEGACY_CONFIDENCE_FEATURES

    width = 4 * len(LEGACY_CONFIDENCE_FEATURES)
    legacy = replace(_tiny_model(), confidence_features=LEGACY_CONFIDENCE_FEATURES,
                     calibrator=Linear(np.zeros((width, 2), np.float32), np.array([0.0, 1.0], np.float32)))
    legacy.save(tmp_path / "legacy.npz")
    loaded = ReaderModel.load(tmp_path / "legacy.npz")
    assert loaded.confidence_features == LEGACY_CONFIDENCE_FEATURES
    assert loaded.danger_reading == legacy.danger_reading
    assert loaded.confidence({"faq": 1.0, "faq_agrees": 1.0}) == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_a_model_saved_before_danger_was_blended_reads_danger_from_its_danger_head_alone(tmp_path: Path) -> None:
    import io as _io

    model = _tiny_model()
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    del meta["danger_blend"], meta["danger_reading"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    buffer = _io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    (tmp_path / "old.npz").write_bytes(buffer.getvalue())
    old = ReaderModel.load(tmp_path / "old.npz")
    text = "un uomo è svenuto sulla banchina"
    x = old.features([text])
    assert old.danger_reading == DangerReading.DANGER_HEAD
    assert old.read(text).danger == pytest.approx(float(old.danger_head.proba(x)[0, 1]), abs=1e-3)


def test_a_reading_in_danger_is_an_emergency_whatever_its_calm_probabilities() -> None:
    probs = {intent: 0.0 for intent in Intent}
    probs.update({Intent.EMERGENCY: 0.6, Intent.STATUS: 0.1, Intent.COMPLAINT: 0.3})
    assert calm_choice(probs, True) == Intent.EMERGENCY
    assert calm_choice(probs, False) == Intent.COMPLAINT  # the likeliest calm intent, never emergency


def test_the_auto_reply_threshold_is_chosen_for_the_recipes_precision_target() -> None:
    _model, anything = train(_tiny_set(), eval_knowledge(), now=EVAL_NOW, params=replace(TINY, auto_precision_target=0.0))
    _model, unreachable = train(_tiny_set(), eval_knowledge(), now=EVAL_NOW,
                                params=replace(TINY, auto_precision_target=1.01))
    assert anything.held_out["auto_coverage"] == 1.0  # every right answer the labels judge goes out alone
    assert unreachable.held_out["auto_threshold"] == 1.01 and unreachable.held_out["auto_coverage"] == 0


def test_the_held_out_coverage_counts_the_right_answers_at_or_above_the_threshold() -> None:
    right, candidate = np.array([1, 1, 0, 1, 1]), np.array([True, True, True, True, False])
    scores = np.array([0.9, 0.5, 0.4, 0.95, 0.0], np.float32)
    calibration = Calibration(Linear(np.zeros((1, 2)), np.zeros(2)), 0.8, 1.0, 2, np.zeros((5, 1)), right, candidate,
                              scores)
    # two of the three right answers the labels can judge (the last is right by labels that cannot judge it)
    assert calibration.coverage == round(2 / 3, 4)
    assert replace(calibration, posted=0).coverage == 0


def test_status_answers_of_a_file_that_labels_no_alerts_neither_fit_the_calibrator_nor_set_the_threshold() -> None:
    examples = [replace(e, alert_ids=None) if e.intent == "status" else e for e in _tiny_set()]
    _model, report = train(examples, eval_knowledge(), now=EVAL_NOW, params=TINY)
    x, right, candidate, _danger, _intents = report.calibration
    status = [e.intent == "status" for e in examples]
    assert sum(status) == 6 and not candidate[status].any()  # read as status (or citing alerts): not judged
    _model, labelled = train(_tiny_set(), eval_knowledge(), now=EVAL_NOW, params=TINY)
    assert labelled.calibration[2][status].any()  # the same messages with their alerts labelled are judged


def test_questions_about_another_network_neither_fit_the_calibrator_nor_set_the_threshold() -> None:
    texts = iter(["is the Piccadilly line running ok?", "@LNER trains from Kings Cross back to normal yet?",
                  "@ScotRail Glasgow to Edinburgh via Falkirk, any disruption right now?",
                  "is anything running on the Jubilee??", "are there trains between Leeds and York today?",
                  "is the DART running to Howth this evening?"])
    examples = [replace(e, text=next(texts), routes=frozenset(), stops=frozenset(), alert_ids=frozenset())
                if e.intent == "status" else e for e in _tiny_set()]
    _model, report = train(examples, eval_knowledge(), now=EVAL_NOW, params=TINY)
    candidate = report.calibration[2]
    status = [e.intent == "status" for e in examples]
    assert sum(status) == 6 and not candidate[status].any()  # the router never posts them alone: not fitted on


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_expanded_facts_are_the_facts_then_each_fact_times_each_answerable_intent(dtype: type) -> None:
    from bot.reading.model import _BY_INTENT, expand

    x = np.random.default_rng(5).standard_normal((7, 18)).astype(dtype)
    wanted = np.hstack([x] + [x * x[:, [i]] for i in _BY_INTENT]).astype(np.float32)
    got = expand(x)
    assert got.dtype == np.float32
    assert np.array_equal(got, wanted)


def _written(sizes: dict[str, int]) -> tuple[list[Labelled], list[str]]:
    """Messages of the given groups, ``sizes[group]`` each (texts unique)."""
    examples, groups = [], []
    for group, size in sizes.items():
        for n in range(size):
            examples.append(Labelled.from_dict({"text": f"{group} message {n}", "intent": "other"}))
            groups.append(group)
    return examples, groups


def test_a_writers_files_are_one_writer_and_a_message_with_no_file_has_none() -> None:
    assert writer_of("writer9_en.jsonl") == writer_of("writer9_ml.jsonl") == "writer9"
    assert writer_of("writer10_danger.jsonl") == "writer10" != writer_of("writer1_it.jsonl")
    assert writer_of("fresh_cases.jsonl") == "fresh_cases.jsonl" and writer_of("writers.jsonl") == "writers.jsonl"
    assert writer_of(CORRECTIONS) is None and writer_of("") is None


def test_writer_folds_never_split_a_writer() -> None:
    examples, groups = _written({"writer9_en.jsonl": 7, "writer9_it.jsonl": 5, "writer9_ml.jsonl": 4,
                                 "writer10_it.jsonl": 9, "a.jsonl": 11, "b.jsonl": 3, "c.jsonl": 6})
    fold = writer_folds(examples, groups, 3, seed=0)
    for writer in {writer_of(g) for g in groups}:
        assert len({int(f) for f, g in zip(fold, groups) if writer_of(g) == writer}) == 1


def test_writer_folds_put_the_largest_writer_first_into_the_lightest_fold() -> None:
    # 50 -> fold 0, 40 -> 1, 30 -> 2, 20 -> 2 (30), the two tens -> 1 (40) then 0 (ties: the lowest fold)
    sizes = {"e.jsonl": 20, "writer3_it.jsonl": 25, "writer3_en.jsonl": 25, "b.jsonl": 40, "c.jsonl": 30,
             "f.jsonl": 10, "g.jsonl": 10}
    examples, groups = _written(sizes)
    fold = writer_folds(examples, groups, 3, seed=0)
    assert {g: int(f) for f, g in zip(fold, groups)} == {
        "writer3_it.jsonl": 0, "writer3_en.jsonl": 0, "b.jsonl": 1, "c.jsonl": 2, "e.jsonl": 2, "f.jsonl": 1,
        "g.jsonl": 0}
    assert np.bincount(fold).tolist() == [60, 50, 50]


def test_writer_folds_are_the_same_whatever_the_order_of_the_messages() -> None:
    examples, groups = _written({"a.jsonl": 5, "b.jsonl": 5, "writer4_it.jsonl": 3, "writer4_en.jsonl": 2,
                                 "c.jsonl": 4})
    fold = writer_folds(examples, groups, 2, seed=0)
    order = list(reversed(range(len(examples))))
    again = writer_folds([examples[i] for i in order], [groups[i] for i in order], 2, seed=0)
    assert again.tolist() == [int(fold[i]) for i in order]
    assert {g: int(f) for f, g in zip(fold, groups)}["a.jsonl"] == 0  # ties by name: a before b


def test_messages_with_no_writer_keep_their_random_fold() -> None:
    examples, groups = _written({"a.jsonl": 6, "b.jsonl": 6, CORRECTIONS: 20})
    fold = writer_folds(examples, groups, 3, seed=0)
    random = _folds(examples, 3, 0)
    mine = np.array(groups) == CORRECTIONS
    assert fold[mine].tolist() == random[mine].tolist() and len(set(fold[mine].tolist())) > 1


def test_the_held_out_folds_are_by_writer_by_file_or_random_as_the_recipe_says() -> None:
    examples, groups = _written({"a.jsonl": 6, "b.jsonl": 6, "writer2_it.jsonl": 4, "writer2_en.jsonl": 4})
    fold, folds = held_out_folds(examples, groups, replace(TINY, writer_folds=True))
    assert folds == 2 and fold.tolist() == writer_folds(examples, groups, 2, 0).tolist()
    fold, folds = held_out_folds(examples, groups, replace(TINY, writer_folds=False))
    assert folds == 2 and fold.tolist() == _folds(examples, 2, 0).tolist()
    fold, folds = held_out_folds(examples, groups, replace(TINY, writer_folds=True, calibrate_by_file=True))
    assert folds == 4 and len(set(fold.tolist())) == 4
    fold, folds = held_out_folds(examples, None, replace(TINY, writer_folds=True))
    assert fold.tolist() == _folds(examples, 2, 0).tolist()


def test_a_model_that_records_no_fold_setting_was_calibrated_on_random_folds() -> None:
    recorded = _tiny_model().info["params"]
    grouped = replace(_tiny_model(), info={"params": {**recorded, "writer_folds": True}})
    old = replace(_tiny_model(), info={"params": {k: v for k, v in recorded.items() if k != "writer_folds"}})
    assert recipe_of(grouped).writer_folds and not recipe_of(old).writer_folds
    examples, groups = _written({"a.jsonl": 6, "b.jsonl": 6, "c.jsonl": 6})
    assert held_out_folds(examples, groups, recipe_of(old))[0].tolist() == _folds(examples, 2, 0).tolist()


def test_a_model_that_records_no_calm_penalty_fitted_its_calm_head_at_the_other_heads_penalty() -> None:
    recorded = _tiny_model().info["params"]
    old = replace(_tiny_model(), info={"params": {k: v for k, v in recorded.items() if k != "calm_l2"}})
    assert recipe_of(old).calm_l2 is None and recipe_of(old).calm_penalty == recorded["l2"]
    assert recipe_of(_tiny_model()).calm_penalty == TrainingParams().calm_l2 == 1e-5
    assert recipe_of(ReaderModel.cached()).calm_penalty == 1e-5  # the model in service (202612061230, the first)


def test_the_calm_head_is_the_intent_head_fitted_at_the_calm_penalty() -> None:
    examples = _tiny_set()
    x = np.random.default_rng(0).normal(size=(len(examples), 8)).astype(np.float32)
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    weak, strong = replace(TINY, l2=1e-1, calm_l2=1e-6), replace(TINY, l2=1e-6)
    assert np.array_equal(fit_calm_head(x, intents, weak).weights, fit_intent_head(x, intents, strong).weights)
    assert np.array_equal(fit_calm_head(x, intents, replace(weak, calm_l2=None)).weights,
                          fit_intent_head(x, intents, weak).weights)
    assert not np.allclose(fit_intent_head(x, intents, weak).weights, fit_intent_head(x, intents, strong).weights)


def test_training_calibrates_on_folds_that_never_split_a_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.reading.training as training

    examples = _tiny_set()
    groups = [f"writer{i % 3}_it.jsonl" if i % 2 else f"writer{i % 3}_en.jsonl" for i in range(len(examples))]
    seen: list[np.ndarray] = []
    real = training.calibrated

    def spy(readings, examples, draft, knowledge, now, fold, folds, params, prototypes=None):  # type: ignore[no-untyped-def]
        seen.append(fold)
        return real(readings, examples, draft, knowledge, now, fold, folds, params, prototypes)

    monkeypatch.setattr(training, "calibrated", spy)
    said: list[str] = []
    train(examples, eval_knowledge(), now=EVAL_NOW, params=replace(TINY, folds=3, writer_folds=True), groups=groups,
          progress=said.append)
    assert seen[0].tolist() == writer_folds(examples, groups, 3, 0).tolist()
    assert "fold 3 of 3" in said


def test_a_false_alarm_budget_raises_the_danger_threshold_and_the_model_records_it() -> None:
    budgeted, report = train(_tiny_set(), eval_knowledge(), now=EVAL_NOW, params=replace(TINY, danger_false_alarms=0.0))
    calm = report.calibration[4] != INTENTS.index(Intent.EMERGENCY)
    held_out_danger = report.calibration[3]
    assert not (held_out_danger[calm] >= budgeted.danger_threshold).any() or budgeted.danger_threshold == 0.5
    assert budgeted.danger_threshold >= _tiny_model().danger_threshold
    assert recipe_of(budgeted).danger_false_alarms == 0.0 and recipe_of(_tiny_model()).danger_false_alarms is None


def test_a_recipe_that_both_keeps_the_danger_part_and_fits_it_anew_is_refused_naming_both() -> None:
    with pytest.raises(ConfigError, match="keep_danger.*calm_split"):
        TrainingParams(keep_danger=True, calm_split=True)
    assert TrainingParams(keep_danger=True).keep_danger and TrainingParams(calm_split=True).calm_split
