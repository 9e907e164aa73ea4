"""``sportello calibrate``: the model's auto-reply threshold chosen on labelled messages it never trained on."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.domain import Action, Decision
from bot.errors import SportelloError
from bot.evaluate import Labelled, read_labelled
from bot.reading.gate import seen_by
from bot.reading.model import ReaderModel
from bot.reading.threshold_choice import (
    DEFAULT_TARGET,
    MIN_ANSWERS,
    ThresholdChoice,
    choose_threshold,
    read_candidates,
    with_threshold,
)
from knowledge.store import Knowledge


def choose_on_files(model: ReaderModel, settings: Settings, knowledge: Knowledge, files: Sequence[Path], *,
                    clock: Callable[[], datetime], target: float = DEFAULT_TARGET,
                    min_answers: int = MIN_ANSWERS) -> ThresholdChoice:
    """The threshold ``model`` should post at, chosen on the labelled ``files`` (their messages it trained on left
    out), each message read by the whole pipeline as the service reads it."""
    from bot.pipeline import RoutingPipeline
    from bot.reading.router import Router
    from handlers import ReplyWriter

    router = Router(knowledge, settings=settings, model=replace(model, auto_threshold=0.0))
    pipeline = RoutingPipeline(router, ReplyWriter(knowledge, settings), clock=clock)

    def decide(gold: Labelled) -> tuple[Decision, float]:
        now = clock()
        facts = router.read(gold.text, now=now)  # what ``decide_text`` routes, with the facts behind the confidence
        decision, _draft = pipeline.finish(facts.decision, gold.text, now=now)
        if decision.action != Action.AUTO:
            return decision, 0.0
        return decision, router.model.confidence(facts.confidence_facts)  # the decision's is rounded

    labelled = [message for path in files for message in read_labelled(path)]
    candidates, answerable, trained_on = read_candidates(decide, labelled, seen_by(model.info, files))
    return choose_threshold(candidates, answerable=answerable, current=model.auto_threshold, target=target,
                            min_answers=min_answers, trained_on=trained_on)


def calibrate_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Choose the threshold on the files; print the choice; with ``--output``, write the model with it."""
    from bot.cli import parse_now
    from bot.domain import utcnow
    from bot.reading.retrain import model_in_service
    from bot.routing_cli import offline_knowledge

    if settings.services:
        msg = ("calibrate: the configuration names several services (services.*); calibrate one service's model "
               "with a configuration of that service alone")
        raise SportelloError(msg)
    fixed = parse_now(args.now)
    clock: Callable[[], datetime] = (lambda: fixed) if fixed else utcnow  # type: ignore[assignment,return-value]
    path = Path(args.model) if args.model else model_in_service(settings)
    model = ReaderModel.load(path)
    knowledge = offline_knowledge(args, settings, clock)
    files = [Path(f) for f in args.file]
    choice = choose_on_files(model, settings, knowledge, files, clock=clock, target=args.target)
    report: dict[str, Any] = {"model": str(path), "version": model.version, **choice.as_dict()}
    if args.output:
        chosen = with_threshold(model, choice, args.file, utcnow())
        chosen.save(Path(args.output))
        report.update(written=args.output, written_version=chosen.version)
    out.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0
