"""``sportello route``: the routing contract, JSON Lines in and out, no database."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TextIO

from bot.config import FeedSettings, Settings
from bot.domain import utcnow
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from handlers import ReplyWriter
from knowledge.domains import domain_named
from knowledge.domains.base import Source
from knowledge.faq_engine import load_faq
from knowledge.gtfs import GtfsIndex
from knowledge.store import Knowledge, check_sources, load_outages


def offline_knowledge(
    args: argparse.Namespace, settings: Settings, clock: Callable[[], datetime]
) -> Knowledge:
    """Knowledge from ``--gtfs/--alerts/--faq`` (or the configuration), read straight from files."""
    ks = settings.knowledge
    domain = domain_named(ks.domain)
    check_sources(ks, domain)
    source = args.gtfs or (ks.gtfs if domain.reads(Source.GTFS) else None)
    names = getattr(args, "stop_names", None) or ks.stop_names
    gtfs = GtfsIndex.load(source, cache_dir=ks.cache_dir, translations=names) if source else GtfsIndex.empty()
    faq = load_faq(args.faq or list(ks.faq), ks.faq_engine, ks.cache_dir)
    alerts = ks.alerts if domain.reads(Source.ALERTS) else FeedSettings()
    if args.alerts:
        alerts = FeedSettings(
            source=args.alerts,
            refresh_seconds=alerts.refresh_seconds,
            max_age_seconds=alerts.max_age_seconds,
        )
    outages = load_outages(ks, engine=None, clock=clock)
    return Knowledge(gtfs, faq, alerts, engine=None, clock=clock, outages=outages, domain=domain)


def build_offline_pipeline(args: argparse.Namespace, settings: Settings) -> RoutingPipeline:
    """A pipeline on file-based knowledge with the clock fixed by ``--now`` if given (the desk's, when the
    configuration names several services)."""
    from bot.cli import parse_now

    fixed = parse_now(getattr(args, "now", None))
    clock: Callable[[], datetime] = (lambda: fixed) if fixed else utcnow  # type: ignore[assignment,return-value]
    if settings.services:  # a desk of several services: each read from its own files
        from bot.services import build_desk

        return build_desk(settings, engine=None, clock=clock)  # type: ignore[return-value]
    knowledge = offline_knowledge(args, settings, clock)
    return RoutingPipeline(
        Router(knowledge, settings=settings), ReplyWriter(knowledge, settings), clock=clock
    )


def route_record(pipeline: RoutingPipeline, record: dict[str, Any]) -> dict[str, Any]:
    """The contract's output for one input record."""
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": record.get("id"), "error": "text: a string is required"}
    decision, draft = pipeline.decide_text(text, channel=record.get("channel"))
    return {"id": record.get("id"), **decision.as_dict(), "reply": draft.text}


def route_lines(
    args: argparse.Namespace, settings: Settings, lines: Iterable[str], out: TextIO
) -> None:
    """Route every JSON line of ``lines``; a bad line yields an error object and the run goes on."""
    pipeline = build_offline_pipeline(args, settings)
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
        except ValueError as exc:
            result: dict[str, Any] = {"id": None, "error": f"not a JSON object: {exc}"}
        else:
            result = route_record(pipeline, record)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
