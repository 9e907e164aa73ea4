"""Would a confidence recalibrated on unseen writers' readings post more right answers? Left out file by file.

``python bench/reader_recalibration.py [--output bench/results/reader_recalibration.json]``

The model in service never trained on the files of :data:`NEW_FILES` (``knowledge/training/README.md``): its
readings of them are readings of unseen writers. Every message of those files, and of the files it did train on
(``info["sources"]``, read in-sample), is routed once as ``sportello eval`` routes it (``config.yaml``, the shared
evaluation's timetable, alerts and FAQ, clock :data:`~bench.reader_common.NOW`), keeping its confidence facts,
whether the router would answer it alone at all (an answerable intent), whether the policy would post it were the
confidence high enough, and whether the whole answer is right. Then each new file is left out in turn and its
messages are posted by:

- ``service``: the model's own calibrator and threshold;
- ``threshold``: the model's calibrator, the threshold re-chosen on the other new files' confidences;
  ``threshold_with_trained`` also on the trained-on files' (in-sample) confidences; ``threshold_target_0.99`` on
  the other new files' at a precision target of 0.99 instead of 0.985 (a variant tried after seeing the others);
- ``recal_new``: a calibrator fitted on the other new files' readings, its threshold chosen on their confidences
  cross-fitted file by file (each file scored by a calibrator fitted on the others);
- ``recal_new_train``: as ``recal_new`` with the trained-on files' readings added to the fit and to the threshold's
  choice (in-sample readings: sharper intent probabilities and more right answers than an unseen writer gets);
- ``recal_new_train_thr_new``: that calibrator, its threshold chosen on the other new files' cross-fitted scores only.

Thresholds are chosen as training chooses them (``_auto_threshold`` at ``AUTO_PRECISION_TARGET``, over the
answerable readings, right meaning auto_ok and the whole answer right); the policy's ``auto_min_confidence`` still
holds. ``hindsight`` gives, per variant, the coverage of the one threshold chosen on the left-out scores themselves:
how well the scores rank, not an estimate; ``ceiling`` the coverage were every right postable answer posted;
``penalties`` the hindsight coverage of calibrators refitted at other penalties (transit files).
``verdicts`` apply the rule for shipping a recalibration (issue 9): pooled coverage up by 0.03 or more at pooled
precision 0.985 or more, and no file's precision under 0.97 where the service's was at or above it.
Figures are given for the six transit files (``transit``) and with ``utilities_2`` (``all``): its water and waste
messages are read here with transit knowledge, where a status reply is judged on its intent alone (no line, alerts
not labelled), which is not the reply a water desk would post.

Measured on 2026-12-05 (model ``202612042202-de7e2727``, six transit files, 864 auto_ok messages): the service posts
339 at precision 0.997, coverage 0.391. No calibrator refitted on the unseen writers ranks better than the one in
service (hindsight coverage at 0.985: 0.037-0.270 fitted on the new files alone, 0.331-0.482 with the trained-on
files, against 0.478), so a recalibration gains nothing; only the threshold is conservative. Re-chosen left out
(calibrator kept) it posts 428 at 0.984, coverage 0.487, with writer9_en at 0.967: under the rule, no clear gain.
Nothing here is written to a model; no sealed set or benchmark is read.
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import NOW, REPO, SHARED, eval_now, eval_sources, encoder_vectors, put_figures  # noqa: E402

#: the files the model in service never trained on (knowledge/training/README.md)
NEW_FILES = ("writer9_it", "writer9_en", "writer9_ml", "utilities_2", "writer10_it", "writer10_en", "writer10_danger")
WATER = "utilities_2"
CACHE = Path("/tmp/sportello-reader-recalibration-use.npz")
L2S = (1e-3, 1e-2, 3e-2, 1e-1)  # calibrator penalties tried (the model in service's: 1e-3)
CUTS = (0.80, 0.85, 0.88, 0.90, 0.92, 0.93, 0.94, 0.951, 0.96, 0.97)


@dataclass
class Routed:
    """Every routed message of the files: what the calibrator weighs and what posting it would mean."""

    file: np.ndarray  # file stem per message
    ids: list[str]
    x: np.ndarray  # confidence facts (the model's ``confidence_features``)
    candidate: np.ndarray  # the router's intent is one answered alone (what a calibrator is fitted on)
    postable: np.ndarray  # router and policy would post it, were its confidence high enough
    right: np.ndarray  # auto_ok and the whole answer right
    auto_ok: np.ndarray
    confidence: np.ndarray  # the model in service's calibrated confidence
    gold: list[str]
    decided: list[str]
    wrong: list[tuple[str, ...]]


def training_paths(sources: dict[str, int]) -> list[Path]:
    """Where each file the model trained on lives (``knowledge/training``, ``tests/bot`` or the shared dev set)."""
    out = []
    for name in sources:
        for folder in (REPO / "knowledge" / "training", REPO / "tests" / "bot", SHARED / "eval"):
            if (folder / name).exists():
                out.append(folder / name)
                break
    return out


def route(paths: list[Path], model_path: Path | None) -> tuple[Routed, Any]:
    """Route every message of ``paths`` with the model (in service by default), at threshold 0, keeping its facts."""
    from bot.config import load_settings
    from bot.domain import Action
    from bot.evaluate import Outcome, read_labelled, with_model
    from bot.reading.router import AUTO_INTENTS
    from bot.routing_cli import build_offline_pipeline

    settings = load_settings(REPO / "config.yaml")
    if model_path is not None:
        settings = with_model(settings, str(model_path))
    args = eval_sources(now=NOW)
    pipeline = build_offline_pipeline(args, settings)
    router, writer = pipeline.router, pipeline.writer
    model = router.model
    router.model = replace(model, auto_threshold=0.0)
    now = eval_now()
    records = [(path.name.removesuffix(".jsonl"), g) for path in paths for g in read_labelled(path)]
    texts = [g.text for _, g in records]
    readings = model.read_many(texts, encoder_vectors(texts, CACHE))
    names = model.confidence_features
    files, ids, rows, cand, postable, right, ok, gold, decided, wrong = ([] for _ in range(10))
    for (stem, g), reading in zip(records, readings):
        facts = router.read(g.text, now=now, reading=reading)
        sure = replace(facts.decision, confidence=1.0)  # what the policy does with a confident answer
        decision = writer.with_domain(sure, g.text, now)
        draft = writer.draft(decision, g.text, now=now)
        final = replace(decision, action=draft.action, sources=draft.sources)
        outcome = Outcome(g, final)
        files.append(stem)
        ids.append(g.id)
        rows.append([facts.confidence_facts.get(n, 0.0) for n in names])
        cand.append(facts.decision.intent in AUTO_INTENTS)
        postable.append(facts.decision.action == Action.AUTO and final.action == Action.AUTO)
        right.append(bool(g.auto_ok and outcome.answer_right))
        ok.append(g.auto_ok)
        gold.append(g.intent)
        decided.append(str(facts.decision.intent))
        wrong.append(tuple(w for w in outcome.wrong_fields() if w not in ("auto", "stops", "lang", "category")))
    x = np.array(rows, np.float32)
    routed = Routed(np.array(files), ids, x, np.array(cand), np.array(postable), np.array(right, int), np.array(ok),
                    np.array(model.confidence_many([dict(zip(names, r)) for r in x.tolist()])) * np.array(cand),
                    gold, decided, wrong)
    return routed, model


def crossfit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float) -> np.ndarray:
    """Each row's confidence from a calibrator fitted on the other groups' rows."""
    from bot.reading.model import expand
    from bot.reading.training import fit_calibrator

    out = np.zeros(len(y), np.float32)
    for name in np.unique(groups):
        fitted, held = groups != name, groups == name
        out[held] = fit_calibrator(x[fitted], y[fitted], l2).proba(expand(x[held]))[:, 1]
    return out


def threshold_of(scores: np.ndarray, right: np.ndarray, target: float | None = None) -> float:
    """The training rule's threshold over these scores (at ``AUTO_PRECISION_TARGET`` unless told)."""
    from bot.reading.training import AUTO_PRECISION_TARGET, _auto_threshold

    return _auto_threshold(scores, right, AUTO_PRECISION_TARGET if target is None else target)[0]


def left_out(r: Routed, scope: tuple[str, ...], model: Any,
             trained: tuple[str, ...]) -> dict[str, tuple[np.ndarray, dict]]:
    """Each variant's confidence of every message of ``scope`` and the threshold each left-out file was held to."""
    from bot.reading.model import expand
    from bot.reading.training import fit_calibrator, recipe_of

    l2 = recipe_of(model).calibrator_l2
    in_scope = np.isin(r.file, scope)
    train = np.isin(r.file, trained) & r.candidate
    fresh = {name: (np.zeros(len(r.right), np.float32), {})
             for name in ("recal_new", "recal_new_train", "recal_new_train_thr_new")}
    out: dict[str, tuple[np.ndarray, dict]] = {
        "service": (r.confidence, {f: model.auto_threshold for f in scope}),
        "threshold": (r.confidence, {}),
        "threshold_with_trained": (r.confidence, {}),
        "threshold_target_0.99": (r.confidence, {}),
        **fresh,
    }
    for f in scope:
        mine = r.file == f
        others = in_scope & ~mine & r.candidate
        both = others | train
        out["threshold"][1][f] = threshold_of(r.confidence[others], r.right[others])
        out["threshold_with_trained"][1][f] = threshold_of(r.confidence[both], r.right[both])
        out["threshold_target_0.99"][1][f] = threshold_of(r.confidence[others], r.right[others], 0.99)
        # a calibrator on the other new files; its threshold on their scores cross-fitted file by file
        cal = fit_calibrator(r.x[others], r.right[others], l2)
        out["recal_new"][0][mine] = cal.proba(expand(r.x[mine]))[:, 1]
        cross = crossfit(r.x[others], r.right[others], r.file[others], l2)
        out["recal_new"][1][f] = threshold_of(cross, r.right[others])
        # with the trained-on files' (in-sample) readings in the fit
        cal = fit_calibrator(r.x[both], r.right[both], l2)
        for name in ("recal_new_train", "recal_new_train_thr_new"):
            out[name][0][mine] = cal.proba(expand(r.x[mine]))[:, 1]
        cross = crossfit(r.x[both], r.right[both], r.file[both], l2)
        out["recal_new_train"][1][f] = threshold_of(cross, r.right[both])
        new_rows = np.isin(r.file[both], scope)
        out["recal_new_train_thr_new"][1][f] = threshold_of(cross[new_rows], r.right[both][new_rows])
        print(f"left out {f}", file=sys.stderr, flush=True)
    for scores, _ in fresh.values():
        scores[~r.candidate] = 0.0
    return out


def posted(r: Routed, scores: np.ndarray, thresholds: dict[str, float], floor: float) -> np.ndarray:
    """Which messages go out alone: postable, at or above the file's threshold and the policy's floor."""
    limit = np.array([thresholds.get(f, 2.0) for f in r.file])
    return r.postable & r.candidate & (scores >= limit) & (scores >= floor)


def figures(r: Routed, mask: np.ndarray, go: np.ndarray) -> dict[str, Any]:
    """Posted, right among them, precision and coverage over the messages of ``mask``."""
    sent, good = int((go & mask).sum()), int((go & mask & r.right.astype(bool)).sum())
    ok = int((r.auto_ok & mask).sum())
    return {"posted": sent, "right": good, "precision": round(good / sent, 4) if sent else None,
            "coverage": round(good / ok, 4) if ok else None}


def hindsight(r: Routed, mask: np.ndarray, scores: np.ndarray, floor: float) -> dict[str, Any]:
    """How well the scores rank: the coverage of the one threshold chosen on these very messages for pooled
    precision 0.985 (not an estimate: the threshold has seen the answers)."""
    go = mask & r.postable & r.candidate & (scores >= floor)
    limit = threshold_of(scores[go], r.right[go])
    return {"threshold": round(limit, 4), **figures(r, mask, go & (scores >= limit))}


def kind(r: Routed, i: int, score: float) -> str:
    """A short description of one answer: gold and read intent, a line named, alerts cited, the fields wrong."""
    from bot.reading.model import LEGACY_CONFIDENCE_FEATURES as names  # the first facts of every model, in order

    named = "line" if r.x[i, names.index("named_route")] else "no line"
    alerts = ", alerts" if r.x[i, names.index("alerts_cited")] else ""
    band = f", {min(0.95, np.floor(score * 20) / 20):.2f}+" if score >= 0.8 else ", <0.80"
    wrong = f" wrong {'+'.join(r.wrong[i])}" if r.wrong[i] else ""
    return f"{r.gold[i]} read {r.decided[i]} ({named}{alerts}{band}){wrong}"


def kinds(r: Routed, which: np.ndarray, scores: np.ndarray, top: int = 12) -> dict[str, int]:
    """How many of ``which`` are of each :func:`kind`."""
    count = collections.Counter(kind(r, int(i), float(scores[i])) for i in np.nonzero(which)[0])
    return dict(count.most_common(top))


def verdict(block: dict[str, Any], scope: tuple[str, ...], name: str) -> dict[str, Any]:
    """The landing rule of issue 9's recalibration: pooled coverage up by 0.03 or more at pooled precision 0.985
    or more, and no file's precision under 0.97 where the service's was at or above it."""
    service, mine = block["service"], block[name]
    gain = round(mine["pooled"]["coverage"] - service["pooled"]["coverage"], 4)
    fell = [f for f in scope if (service["per_file"][f]["precision"] or 1.0) >= 0.97
            and mine["per_file"][f]["precision"] is not None and mine["per_file"][f]["precision"] < 0.97]
    precision = mine["pooled"]["precision"] or 0.0
    return {"coverage_gain": gain, "pooled_precision": precision, "files_under_0.97": fell,
            "clear_gain": gain >= 0.03 and precision >= 0.985 and not fell}


def measure(r: Routed, scope: tuple[str, ...], variants: dict[str, tuple[np.ndarray, dict]],
            floor: float) -> dict[str, Any]:
    """Every variant's figures over ``scope``: pooled, per file, how it ranks, what it holds and posts wrongly."""
    mask = np.isin(r.file, scope)
    right = r.right.astype(bool)
    service_go = posted(r, *variants["service"], floor)
    block: dict[str, Any] = {"ceiling": figures(r, mask, r.postable & r.candidate & right)}
    for name, (scores, thresholds) in variants.items():
        go = posted(r, scores, thresholds, floor)
        per_file = {f: {**figures(r, r.file == f, go), "threshold": round(float(thresholds[f]), 4)} for f in scope}
        block[name] = {
            "pooled": figures(r, mask, go),
            "per_file": per_file,
            "hindsight": hindsight(r, mask, scores, floor),
            "held_though_right": kinds(r, mask & right & r.postable & r.candidate & ~go, scores),
            "posted_though_wrong": [f"{r.ids[i]} {kind(r, int(i), float(scores[i]))}"
                                    for i in np.nonzero(mask & go & ~right)[0]],
            "gained_over_service": kinds(r, mask & go & ~service_go, scores),
            "lost_from_service": kinds(r, mask & service_go & ~go, scores),
        }
    block["verdicts"] = {name: verdict(block, scope, name) for name in variants if name != "service"}
    return block


def penalties(r: Routed, scope: tuple[str, ...], trained: tuple[str, ...], floor: float) -> dict[str, Any]:
    """How well a calibrator refitted at other penalties ranks left-out files (:func:`hindsight` coverage), fitted on
    the other new files alone and with the trained-on files' readings."""
    from bot.reading.model import expand
    from bot.reading.training import fit_calibrator

    mask, train = np.isin(r.file, scope), np.isin(r.file, trained) & r.candidate
    out = {}
    for l2 in L2S:
        for label, extra in (("new", np.zeros_like(train)), ("new_train", train)):
            scores = np.zeros(len(r.right), np.float32)
            for f in scope:
                fitted, mine = (mask & (r.file != f) & r.candidate) | extra, r.file == f
                scores[mine] = fit_calibrator(r.x[fitted], r.right[fitted], l2).proba(expand(r.x[mine]))[:, 1]
            scores[~r.candidate] = 0.0
            out[f"{label} l2={l2:g}"] = hindsight(r, mask, scores, floor)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="reader model (default: the one in service)")
    parser.add_argument("--output", help="also write the figures here")
    args = parser.parse_args()
    from bot.config import load_settings
    from bot.reading.model import ReaderModel

    model_path = Path(args.model) if args.model else None
    floor = load_settings(REPO / "config.yaml").policy.auto_min_confidence
    trained_paths = training_paths(ReaderModel.load(model_path).info.get("sources") or {})
    new_paths = [REPO / "knowledge" / "training" / f"{f}.jsonl" for f in NEW_FILES]
    r, model = route(new_paths + trained_paths, model_path)
    trained = tuple(p.name.removesuffix(".jsonl") for p in trained_paths)
    result: dict[str, Any] = {
        "model": model.version, "threshold_in_service": round(model.auto_threshold, 4), "policy_floor": floor,
        "files": {f: int((r.file == f).sum()) for f in NEW_FILES}, "trained_on_files": len(trained),
        "trained_on_messages": int(np.isin(r.file, trained).sum()),
    }
    new = np.isin(r.file, NEW_FILES)
    result["service_cuts_all"] = {str(t): figures(r, new, posted(r, r.confidence, {f: t for f in NEW_FILES}, 0.0))
                                  for t in CUTS}
    in_service = {f: model.auto_threshold for f in trained}
    result["trained_on_in_sample"] = figures(r, ~new, posted(r, r.confidence, in_service, floor))
    for label, scope in (("transit", tuple(f for f in NEW_FILES if f != WATER)), ("all", NEW_FILES)):
        result[label] = measure(r, scope, left_out(r, scope, model, trained), floor)
    result["transit"]["penalties"] = penalties(r, tuple(f for f in NEW_FILES if f != WATER), trained, floor)
    put_figures(result, args.output)


if __name__ == "__main__":
    main()
