"""`sportello train` and the scheduled retrain: build a model, score it beside the one in service, keep the better.

The gate (:mod:`bot.reading.gate`) compares the candidate's recipe with the in-service model's recipe, both
trained leave-one-file-out on this retrain's messages (:mod:`bot.reading.left_out`) and read on the same
left-out messages.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import Settings
from bot.errors import SportelloError
from bot.reading.gate import (
    GATED,
    Refusal,
    Verdict,
    judge,
    no_worse,
    refused,
    seen_by,
    too_few,
    too_little,
    trained_on_digests,
)
from bot.reading.calm import same_calm, train_calm
from bot.reading.left_out import left_out, split_left_out, split_service_left_out
from bot.reading.model import SHIPPED_MODEL, ReaderModel
from bot.reading.training import TrainingParams, default_training_files, encode_all, read_grouped, recipe_of, train

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Engine

    from bot.evaluate import Labelled
    from knowledge.store import Knowledge

log = logging.getLogger(__name__)
__all__ = ["GATED", "IN_SERVICE", "RECIPES", "Verdict", "no_worse", "put_in_service", "recipe_named", "retrain",
           "train_command"]
IN_SERVICE = "reader.npz"


def model_in_service(settings: Settings) -> Path:
    """The model file the router loads: ``reader.model``, else ``model_dir/reader.npz``, else the shipped one."""
    if settings.reader.model:
        return Path(settings.reader.model)
    if settings.reader.model_dir and (Path(settings.reader.model_dir) / IN_SERVICE).exists():
        return Path(settings.reader.model_dir) / IN_SERVICE
    return SHIPPED_MODEL


def retrain(
    settings: Settings,
    knowledge: Knowledge,
    *,
    now: datetime,
    engine: Engine | None = None,
    files: Sequence[Path] | None = None,
    params: TrainingParams = TrainingParams(),
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> tuple[ReaderModel, Verdict]:
    """Train on the labelled files and stored corrections, then gate the result against the model in service
    (``jobs``: left-out groups whose heads the gate fits at once, in forked processes; the same verdict).

    The gate (:mod:`bot.reading.gate`) trains the candidate's recipe and the in-service model's recipe
    leave-one-file-out (corrections one more group) and compares them on the same left-out messages. When the
    recipes are the same, those readings would be too: what is in question is then the new data, so the recipe is
    left out a second time with the messages the model in service never trained on as one group
    (:func:`without_new`), and both are compared on those messages (refused as too few when they are under the
    gate's minimum or hold no emergency).
    """
    corrections: list[dict[str, Any]] = []
    if engine is not None:
        from storage.corrections import labelled_examples

        corrections = list(labelled_examples(engine))
    paths = list(files) if files is not None else [*default_training_files(), *map(Path, settings.reader.training)]
    examples, groups, sources = read_grouped(paths, corrections)
    progress(f"encoding {len(examples)} messages")
    embeddings = encode_all([e.text for e in examples])
    current_path = model_in_service(settings)
    try:
        current: ReaderModel | None = ReaderModel.load(current_path)
    except Exception:  # noqa: BLE001 - no usable model in service: any candidate is better than none
        current = None
    if params.keep_danger:
        if current is None:
            msg = f"the recipe keeps the danger part of the model in service, and {current_path} cannot be loaded"
            raise SportelloError(msg)
        model, _report = train_calm(examples, knowledge, current, now=now, params=params, sources=sources,
                                    progress=progress, embeddings=embeddings, groups=groups)
    elif params.calm_split:
        model = train_anew(examples, knowledge, now=now, params=params, sources=sources, progress=progress,
                           embeddings=embeddings, groups=groups)
    else:
        model, _report = train(examples, knowledge, now=now, params=params, sources=sources, progress=progress,
                               embeddings=embeddings, groups=groups)
    model.info["trained_on"] = trained_on_digests(examples)
    if current is None:
        log.warning("reader: the model in service (%s) cannot be loaded; the candidate is compared to nothing",
                    current_path)
        held = model.info.get("held_out") or {}
        return model, Verdict(True, {name: held.get(name) for name in GATED}, {}, model.version)
    known_files = [*paths, *default_training_files(), *map(Path, settings.reader.training)]
    seen = seen_by(current.info, known_files, [str(c.get("text") or "") for c in corrections])
    new = sum(not seen(e.text) for e in examples)
    in_service = judged_recipe(current, params)
    same = same_recipe(in_service, params)
    refusal = too_little(examples, groups) or (Refusal.NOTHING_NEW if not new and same else None)
    if refusal:
        return model, refused(refusal, model.version, examples, groups, new)
    unseen = [i for i, e in enumerate(examples) if not seen(e.text)]
    if same and not params.keep_danger and too_few([examples[i] for i in unseen]):
        return model, refused(Refusal.TOO_FEW_HELD_OUT, model.version, examples, groups, new)
    if params.calm_split:
        return model, _anew_verdict(model, examples, groups, unseen, embeddings, params, knowledge, now, current, new,
                                    progress, jobs)
    if params.keep_danger:
        return model, _split_verdict(model, examples, groups, unseen, embeddings, params, knowledge, now, current,
                                     new, progress, jobs)
    progress("gate: the candidate's recipe, left out file by file")
    candidate = left_out(examples, groups, embeddings, params, knowledge, now, current, progress=progress,
                         jobs=jobs)
    if same:
        # The same recipe left out twice reads alike: what is in question is the new data. Both sides are read
        # left out by the same code (the model in service's own readings would be calibrated otherwise, on random
        # folds, and answer about twice as many messages alone as any left-out reading: seen on 2026-12-05).
        progress(f"gate: the same recipe without the {len(unseen)} messages the model in service never saw")
        before = without_new(groups, unseen)
        current_outcomes = left_out(examples, before, embeddings, params, knowledge, now, current, progress=progress,
                                    jobs=jobs)
        candidate, current_outcomes = [candidate[i] for i in unseen], [current_outcomes[i] for i in unseen]
    else:
        progress(f"gate: the recipe of the model in service ({current.version}), left out file by file")
        if current.calm_head is None:
            current_outcomes = left_out(examples, groups, embeddings, in_service, knowledge, now, current,
                                        progress=progress, jobs=jobs)
        else:  # a split model: its calm intents read by calm heads, as it reads them
            current_outcomes = split_service_left_out(examples, groups, embeddings, in_service, knowledge, now,
                                                      current, progress=progress, jobs=jobs)
    verdict = judge(candidate, current_outcomes, model.version, groups=len(set(groups)), new=new,
                    target=params.auto_precision_target)
    return model, verdict


def _split_verdict(model: ReaderModel, examples: Sequence[Labelled], groups: Sequence[str], unseen: Sequence[int],
                   embeddings: np.ndarray, params: TrainingParams, knowledge: Knowledge, now: datetime,
                   current: ReaderModel, new: int, progress: Callable[[str], None], jobs: int = 1) -> Verdict:
    """The gate of a recipe that keeps the danger part of the model in service (:func:`split_left_out`).

    Both sides escalate the same left-out messages; what is judged is the calm part. When the candidate's calm
    recipe reads as the model in service's (:func:`~bot.reading.calm.same_calm`), a file the model in service saw
    is read alike by both sides (heads fitted on every other group), so the new messages are judged, as for the
    same recipe; else every message is.
    """
    service = judged_recipe(current, params)
    alike = same_calm(service, params)
    if alike and too_few([examples[i] for i in unseen]):
        return refused(Refusal.TOO_FEW_HELD_OUT, model.version, examples, groups, new)
    candidate, current_outcomes = split_left_out(examples, groups, without_new(groups, unseen), embeddings, params,
                                                 knowledge, now, current, progress=progress, service_params=service,
                                                 jobs=jobs)
    if alike:
        candidate, current_outcomes = [candidate[i] for i in unseen], [current_outcomes[i] for i in unseen]
    return judge(candidate, current_outcomes, model.version, groups=len(set(groups)), new=new,
                 target=params.auto_precision_target)


def train_anew(examples: Sequence[Labelled], knowledge: Knowledge, *, now: datetime, params: TrainingParams,
               sources: dict[str, int], progress: Callable[[str], None], embeddings: np.ndarray,
               groups: Sequence[str]) -> ReaderModel:
    """A split model whose danger part is new as well (``params.calm_split``): the recipe's danger part fitted on
    ``examples`` (:func:`~bot.reading.training.train`), then the calm part fitted on top of it
    (:func:`~bot.reading.calm.train_calm`), which records the danger part as its source."""
    progress("the danger part, fitted anew")
    danger, _report = train(examples, knowledge, now=now, params=replace(params, calm_split=False), sources=sources,
                            progress=progress, embeddings=embeddings, groups=groups)
    danger.info["trained_on"] = trained_on_digests(examples)
    progress("the calm part, fitted on top of it")
    model, _report = train_calm(examples, knowledge, danger, now=now, params=params, sources=sources,
                                progress=progress, embeddings=embeddings, groups=groups)
    return model


def _anew_verdict(model: ReaderModel, examples: Sequence[Labelled], groups: Sequence[str], unseen: Sequence[int],
                  embeddings: np.ndarray, params: TrainingParams, knowledge: Knowledge, now: datetime,
                  current: ReaderModel, new: int, progress: Callable[[str], None], jobs: int = 1) -> Verdict:
    """The gate of a split model fitted anew: both sides left out as they read (:func:`split_service_left_out`; a
    model in service with no calm head by :func:`left_out`), each group by heads that never saw it.

    When the model in service is of the same recipe, both sides would read every file alike: the model in service is
    then left out with the messages it never trained on as one group (:func:`without_new`), and both are compared on
    those messages, as for any same recipe.
    """
    service = judged_recipe(current, params)
    alike = same_recipe(service, params)
    if alike and too_few([examples[i] for i in unseen]):
        return refused(Refusal.TOO_FEW_HELD_OUT, model.version, examples, groups, new)
    progress("gate: the candidate, its danger and calm parts left out file by file")
    candidate = split_service_left_out(examples, groups, embeddings, params, knowledge, now, model, progress=progress,
                                       jobs=jobs)
    before = without_new(groups, unseen) if alike else list(groups)
    progress(f"gate: the model in service ({current.version}), left out as it reads")
    if current.calm_head is None:
        theirs = left_out(examples, before, embeddings, service, knowledge, now, current, progress=progress, jobs=jobs)
    else:
        theirs = split_service_left_out(examples, before, embeddings, service, knowledge, now, current,
                                        progress=progress, jobs=jobs)
    if alike:
        candidate, theirs = [candidate[i] for i in unseen], [theirs[i] for i in unseen]
    return judge(candidate, theirs, model.version, groups=len(set(groups)), new=new,
                 target=params.auto_precision_target)


#: the group of the messages the model in service never trained on, when the recipe is left out as it was trained
NEW_MESSAGES = "messages new to the model in service"


def judged_recipe(current: ReaderModel, params: TrainingParams) -> TrainingParams:
    """The recipe of the model in service as the gate reads it: at the candidate's auto-reply precision target.

    The target is the operator's promise of how often an answer posted alone is right, not a quality of a model:
    both sides keep it alike, so a candidate is judged on how many right answers it finds at that promise, and a
    stricter target is not refused for posting fewer."""
    return replace(recipe_of(current), auto_precision_target=params.auto_precision_target)


def without_new(groups: Sequence[str], unseen: Sequence[int]) -> list[str]:
    """The groups as the model in service knew them: the messages it never trained on (``unseen``) are one group.

    Left out with these groups, the recipe reads the new messages with heads fitted on what the model in service
    saw, as the candidate's recipe reads each new file with heads fitted on every other file: like with like, the
    difference is the new data.
    """
    new = set(unseen)
    return [NEW_MESSAGES if i in new else group for i, group in enumerate(groups)]


def same_recipe(a: TrainingParams, b: TrainingParams) -> bool:
    """Whether two recipes read alike left out file by file (what the gate does not use aside: the inner folds
    and how the final model is calibrated, the seed, the steps of the category and language heads)."""
    aside = {"folds": 0, "seed": 0, "other_epochs": 0, "calibrate_by_file": False, "writer_folds": False}
    return replace(a, **aside) == replace(b, **aside)


def put_in_service(model: ReaderModel, verdict: Verdict, model_dir: Path) -> Path | None:
    """Keep every trained model under its version; make it the one in service only when accepted."""
    model_dir.mkdir(parents=True, exist_ok=True)
    model.save(model_dir / f"reader-{model.version}.npz")
    if not verdict.accepted:
        return None
    model.save(model_dir / IN_SERVICE)
    return model_dir / IN_SERVICE


def scheduled_recipe(settings: Settings) -> TrainingParams:
    """The recipe a scheduled retrain trains: the model in service's own, so that agents' corrections reach the part
    it retrains (a split model's calm part; its danger part changes only by a retrain of every head, by hand), or the
    code's when no model in service can be read."""
    try:
        return recipe_named("in-service", settings)
    except Exception:  # noqa: BLE001 - no readable model in service: retrain the code's recipe, as before
        return TrainingParams()


def scheduled_retrain(settings: Settings, knowledge: Knowledge, engine: Engine, clock: Callable[[], datetime]) -> None:
    """The scheduler's job: retrain, gate, and put in service only a model no worse than the current one."""
    if not settings.reader.model_dir:
        log.warning("reader: retrain_hours is set but reader.model_dir is not; nothing retrained")
        return
    model, verdict = retrain(settings, knowledge, now=clock(), engine=engine, params=scheduled_recipe(settings))
    kept = put_in_service(model, verdict, Path(settings.reader.model_dir))
    log.info("reader: model %s %s (on %d held-out messages: candidate %s, in service %s)", verdict.version,
             "put in service" if kept else f"kept aside ({verdict.refusal})", verdict.held_out, verdict.candidate,
             verdict.in_service)


#: the recipes ``sportello train --recipe`` trains: the code's (:class:`TrainingParams`' defaults), the one the
#: model in service was trained with (read from its artefact, :func:`recipe_of`), or the code's calm part beside
#: the danger part of the model in service, unchanged (:mod:`bot.reading.calm`); ``reread`` fits nothing: the model
#: in service with its danger part read as the code's recipe reads danger (:mod:`bot.reading.danger_reread`)
REREAD = "reread"
#: the recipe that fits the danger part anew and the split calm part on top of it (``TrainingParams.calm_split``)
ANEW = "anew"
RECIPES = ("default", "in-service", "split", ANEW, REREAD)


def reread(settings: Settings, files: Sequence[Path], params: TrainingParams = TrainingParams(),
           progress: Callable[[str], None] = lambda _: None) -> tuple[ReaderModel, Verdict]:
    """The model in service with its danger part read as ``params.danger_reading`` says, its thresholds set again
    from its own held-out readings, judged on the labelled messages of ``files`` its danger part never trained on."""
    from bot.reading.danger_reread import reread_danger

    current = ReaderModel.load(model_in_service(settings))
    examples, groups, _sources = read_grouped(files)
    progress(f"encoding {len(examples)} messages")
    embeddings = encode_all([e.text for e in examples])
    return reread_danger(current, params.danger_reading, examples, groups, embeddings, progress=progress)


def recipe_named(name: str, settings: Settings, *, epochs: int | None = None, folds: int | None = None,
                 writer_folds: bool | None = None, danger_false_alarms: float | None = None) -> TrainingParams:
    """The recipe ``sportello train --recipe NAME`` trains, with ``epochs``, ``folds``, ``writer_folds`` (held-out
    folds that never split a writer) and ``danger_false_alarms`` (the danger thresholds' false-alarm budget, for a
    recipe that fits a danger part) overriding its own."""
    if danger_false_alarms is not None:
        if name not in ("default", "in-service", ANEW):
            msg = (f"--danger-false-alarms: the {name} recipe sets no danger threshold of its own; use it with "
                   "--recipe default, in-service or anew")
            raise SportelloError(msg)
        if not 0.0 <= danger_false_alarms < 1.0:
            msg = f"--danger-false-alarms: {danger_false_alarms} is not a share; give one from 0 to under 1 (e.g. 0.05)"
            raise SportelloError(msg)
    if name == "in-service":
        params = recipe_of(ReaderModel.load(model_in_service(settings)))
    elif name in ("default", REREAD):  # reread fits nothing: the code's recipe says how danger is read (:func:`reread`)
        params = TrainingParams()
    elif name == "split":
        params = TrainingParams(keep_danger=True)
    elif name == ANEW:
        params = TrainingParams(calm_split=True)
    else:
        msg = f"--recipe: unknown recipe {name!r}; known: {', '.join(RECIPES)}"
        raise SportelloError(msg)
    given = {"epochs": epochs, "folds": folds, "writer_folds": writer_folds, "danger_false_alarms": danger_false_alarms}
    return replace(params, **{k: v for k, v in given.items() if v is not None})


def train_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``sportello train``: build a model from the labelled files (and corrections), gate it, write it."""
    from bot.cli import parse_now
    from bot.domain import utcnow
    from bot.reading.features import Encoder
    from bot.routing_cli import offline_knowledge

    Encoder.choose(settings.reader.encoder)  # the model learns from the embeddings it will read with
    now = parse_now(args.now) or utcnow()
    knowledge = offline_knowledge(args, settings, lambda: now)
    engine = None
    if args.corrections:
        from storage.db import open_database

        engine = open_database(settings.storage.url)
    files = [Path(f) for f in args.file] if args.file else [*default_training_files(), *map(Path, settings.reader.training)]
    params = recipe_named(args.recipe, settings, epochs=args.epochs, folds=args.folds,
                          writer_folds=args.writer_folds, danger_false_alarms=args.danger_false_alarms)
    progress = lambda s: print(f"train: {s}", file=sys.stderr)  # noqa: E731
    if args.recipe == REREAD:
        model, verdict = reread(settings, files, params, progress)
    else:
        model, verdict = retrain(settings, knowledge, now=now, engine=engine, files=files, params=params,
                                 progress=progress, jobs=args.jobs)
    if args.output:
        model.save(Path(args.output))
        written: Path | None = Path(args.output)
    elif settings.reader.model_dir:
        written = put_in_service(model, verdict, Path(settings.reader.model_dir))
    else:  # a developer's checkout: the model that ships in the package (its version is inside it)
        written = SHIPPED_MODEL if verdict.accepted else None
        if written:
            model.save(written)
    out.write(json.dumps({"version": model.version, "accepted": verdict.accepted, "written": str(written),
                          "candidate": verdict.candidate, "in_service": verdict.in_service,
                          "held_out": model.info.get("held_out"), "gate": verdict.as_dict()},
                         ensure_ascii=False) + "\n")
    return 0
