"""``sportello report problems|service|response``: the reports on the terminal or in a file."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, func, select

from bot.config import KnowledgeSettings, Settings
from bot.domain import utcnow
from bot.insight import charts, render
from bot.insight.errors import InsightError
from bot.insight.period import local_day, parse_period
from bot.insight.problem_rollup import refresh_problem_rollup
from bot.insight.problems import ProblemLog, ProblemReport
from bot.insight.refresh import refresh_insight
from bot.insight.response import ResponseReport, ResponseTimes
from bot.insight.service import RouteDayCount, RouteNames, ServiceDay, ServiceReports
from bot.subjects import TRANSIT_KINDS, Subject, SubjectKind, split_key
from knowledge.domains import DOMAINS, load_builtin_domains
from knowledge.domains.base import Source
from knowledge.errors import GtfsError
from knowledge.gazetteer import Gazetteer, GazetteerError
from knowledge.gtfs import GtfsIndex
from storage.db import open_database
from storage.models import ProblemRecord

log = logging.getLogger(__name__)


def network_settings(settings: Settings, service: str | None = None) -> KnowledgeSettings | None:
    """The knowledge settings of the service that runs lines (its domain reads GTFS): the one domain served,
    or the first such service of a desk of several (``service`` only); None when no service has lines."""
    load_builtin_domains()
    blocks = [settings.knowledge] if not settings.services else [
        s.knowledge for name, s in settings.services.items() if service in (None, name)]
    for block in blocks:
        domain = DOMAINS.get(block.domain)
        if domain is not None and domain.reads(Source.GTFS) and block.gtfs is not None:
            return block
    return None


def load_gtfs(settings: Settings) -> GtfsIndex | None:
    """The static feed of the service that runs lines, or None: no service has lines (a water or waste
    deployment), or the feed cannot be read (with a warning)."""
    block = network_settings(settings)
    if block is None or block.gtfs is None:
        return None
    try:
        return GtfsIndex.load(block.gtfs, cache_dir=block.cache_dir, translations=block.stop_names)
    except GtfsError as exc:
        log.warning("reports without the static feed: %s", exc)
        return None


def lines_served(settings: Settings, flag: str, service: str | None = None, *, subjects: bool = True) -> None:
    """Refuse a line filter (or a lines-only report) where no service, or not ``service``, runs lines: it could
    only read empty."""
    if network_settings(settings, service) is not None:
        return
    whose = f"service {service} runs no lines" if service else "no service here runs lines"
    msg = f"{flag}: {whose} (no domain reading knowledge.gtfs)"
    if subjects:
        kinds = ", ".join(str(k) for k in SubjectKind if k not in TRANSIT_KINDS)
        msg += f"; narrow by --subject KIND:ID instead (kinds: {kinds})"
    raise InsightError(msg)


def route_labels(gtfs: GtfsIndex | None, aliases: dict[str, str], keys: list[str]) -> dict[str, str]:
    """Human names for route ids found in the problem log."""
    names = RouteNames(gtfs, aliases)
    return {key: names.label(key) for key in keys}


def parse_day(value: str, tz: str, now: datetime) -> date:
    """``--date``: ``2026-11-27``, ``today`` or ``yesterday`` (local)."""
    text = value.strip().lower()
    if text in ("today", "yesterday"):
        return local_day(now, tz) if text == "today" else date.fromordinal(local_day(now, tz).toordinal() - 1)
    try:
        day = date.fromisoformat(text) if "-" in text else date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if not 2000 <= day.year < 2200:
            raise ValueError(day.year)
        return day
    except ValueError as exc:
        msg = f"--date: expected 2026-11-27, 20261127, today or yesterday; got {value!r}"
        raise InsightError(msg) from exc


def narrowing(engine: Engine, settings: Settings, args: argparse.Namespace,
              gtfs: Callable[[], GtfsIndex | None]) -> tuple[str | None, str | None, tuple[SubjectKind, str] | None]:
    """What a report's flags narrow it to: (service, known line, subject other than a line). ``--route X``
    is ``--subject line:X``; giving both, an unknown service, subject or line, or a line where no service
    runs lines is an error naming the known ones (``gtfs`` is asked only when a line is given)."""
    service = known_service(settings, args.service) if getattr(args, "service", None) else None
    route, subject = getattr(args, "route", None), None
    flag = f"--route {route}"
    if getattr(args, "subject", None):
        if route is not None:
            msg = "give --route or --subject, not both (--route 64 is --subject line:64)"
            raise InsightError(msg)
        subject = known_subject(engine, settings, args.subject, service)
        if subject[0] == SubjectKind.LINE:
            route, subject, flag = subject[1], None, f"--subject line:{subject[1]}"
    if route is not None:
        lines_served(settings, flag, service)
        route = known_route(engine, settings, gtfs(), route)
    return service, route, subject


def problem_report(engine: Engine, settings: Settings, args: argparse.Namespace, now: datetime,
                   gtfs: GtfsIndex | None) -> ProblemReport:
    """The problems report the flags ask for (``--route X`` is ``--subject line:X``)."""
    tz = settings.operator.timezone
    period = parse_period(args.since, args.until, tz=tz, now=now)
    service, route, subject = narrowing(engine, settings, args, lambda: gtfs)
    refresh_problem_rollup(engine, now=now, tz=tz)
    return ProblemLog(engine, tz=tz, service=service, subject=subject).report(period, now=now, route=route)


def known_subject(engine: Engine, settings: Settings, value: str, service: str | None = None
                  ) -> tuple[SubjectKind, str]:
    """The subject ``--subject KIND:ID`` names: its kind and id, found in the problem log (by id, or by the
    label people read) or in a gazetteer of the configured services (a line is left to :func:`known_route`).

    Anything else is an error naming the known kinds, or known subjects of that kind.
    """
    try:
        kind, ident = split_key(value.strip())
    except ValueError as exc:
        msg = (f"--subject {value}: expected KIND:ID (e.g. street:072006:via argiro); "
               f"kinds: {', '.join(str(k) for k in SubjectKind)}")
        raise InsightError(msg) from exc
    if kind == SubjectKind.LINE:
        return kind, ident
    where = [ProblemRecord.subject_kind == str(kind)]
    if service is not None:
        where.append(ProblemRecord.service == service)
    with engine.connect() as conn:
        for match in (ProblemRecord.subject_id == ident, func.lower(ProblemRecord.subject_label) == ident.lower()):
            logged = conn.execute(select(ProblemRecord.subject_id).where(*where, match).limit(1)).scalar()
            if logged is not None:
                return kind, str(logged)
        recent = conn.execute(
            select(ProblemRecord.subject_id, func.max(ProblemRecord.subject_label)).where(*where)
            .group_by(ProblemRecord.subject_id).order_by(func.max(ProblemRecord.id).desc()).limit(8)
        ).all()
    known = {str(i): label for i, label in recent}
    for subject in territory_subjects(settings, kind, service):
        if ident == subject.id or ident.lower() == (subject.label or "").lower():
            return kind, subject.id
        if len(known) < 8:
            known.setdefault(subject.id, subject.label)
    shown = "; ".join(f"{kind}:{i}" + (f" ({label})" if label else "") for i, label in list(known.items())[:8])
    where_said = f" of service {service}" if service else ""
    hint = f"; known {kind} subjects{where_said}: {shown}" if shown else f"; no {kind} subject is known{where_said}"
    msg = f"--subject {value}: no report names it and no gazetteer has it{hint}"
    raise InsightError(msg)


def territory_subjects(settings: Settings, kind: SubjectKind, service: str | None = None) -> list[Subject]:
    """The subjects of ``kind`` the configured gazetteers hold (streets, areas, service points), or none."""
    paths = [settings.knowledge.gazetteer] if not settings.services else [
        s.knowledge.gazetteer for name, s in settings.services.items() if service in (None, name)]
    found: list[Subject] = []
    for files in paths:
        if not files:
            continue
        try:
            gazetteer = Gazetteer.load(files)
        except GazetteerError as exc:
            log.warning("subjects without the gazetteer: %s", exc)
            continue
        if kind == SubjectKind.STREET:
            found += [s.subject for s in gazetteer.streets]
        elif kind == SubjectKind.SERVICE_POINT:
            found += [p.subject for p in gazetteer.places.points]
        elif kind == SubjectKind.MUNICIPALITY:
            found += list(gazetteer.municipalities())
        elif kind.is_area:
            found += [a.subject for a in gazetteer.places.areas if a.kind == kind]
    return found


def narrowed_header(header: str, report: ProblemReport) -> str:
    """The report's first line, and what it is narrowed to (a service, a subject)."""
    lines = [header]
    if report.service:
        lines.append(f"Service: {report.service}")
    if report.subject:
        label = report.subject_labels.get(report.subject)
        lines.append(f"Reports naming {label} ({report.subject})" if label else f"Reports naming {report.subject}")
    return "\n".join(lines)


def known_service(settings: Settings, name: str) -> str:
    """The service ``--service`` names: one of ``services`` (a desk of several), or the one domain served."""
    known = list(settings.services) or [settings.knowledge.domain]
    if name not in known:
        msg = f"--service {name}: no such service; known services: {', '.join(known)}"
        raise InsightError(msg)
    return name


def known_route(engine: Engine, settings: Settings, gtfs: GtfsIndex | None, name: str) -> str:
    """The route id ``--route`` names: a line of the network, or one the problem log names.

    Anything else is an error naming it (a typo must not read as a line with no reports).
    """
    static = RouteNames(gtfs, settings.reports.route_aliases).static_id(name)
    if static is not None:
        return static
    with engine.connect() as conn:
        logged = conn.execute(select(ProblemRecord.id).where(ProblemRecord.route_id == name).limit(1)).first()
    if logged is not None:
        return name
    examples = sorted({r.short_name or r.route_id for r in gtfs.routes.values()})[:6] if gtfs else []
    hint = f"; lines are named by id or short name, e.g. {', '.join(examples)}" if examples else ""
    msg = f"--route {name}: no such line in the network (knowledge.gtfs) and no report names it{hint}"
    raise InsightError(msg)


def _write(output: str | None, stdout: IO[str], payload: str | bytes) -> None:
    if output:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(payload, bytes):
            path.write_bytes(payload)
        else:
            path.write_text(payload, encoding="utf-8")
        return
    if isinstance(payload, bytes):
        target = getattr(stdout, "buffer", None)
        if target is None or stdout.isatty():
            msg = "--format png is an image: give --output FILE.png (or send standard output to a file)"
            raise InsightError(msg)
        target.write(payload)
        target.flush()
        return
    stdout.write(payload)


def _problems(engine: Engine, settings: Settings, args: argparse.Namespace, stdout: IO[str], now: datetime) -> int:
    gtfs = load_gtfs(settings)
    report = problem_report(engine, settings, args, now, gtfs)
    tz = settings.operator.timezone
    keys = [c.key for c in report.by["route"]] + [t.key for t in report.top_routes] + list(report.heatmap)
    labels = route_labels(gtfs, settings.reports.route_aliases, keys)
    if args.format == "png":
        span = report.period.label(tz)
        lang = getattr(args, "lang", None) or "en"
        _write(args.output, stdout, charts.lines_chart(report.by["route"], period=span, lang=lang, labels=labels))
        if args.output:
            heat = Path(args.output).with_name(Path(args.output).stem + "-heatmap.png")
            heat.write_bytes(charts.heatmap_chart(report.heatmap, period=span, lang=lang, labels=labels))
        return 0
    tables = render.problem_tables(report, labels)
    _emit(args, stdout, narrowed_header(render.period_header("Problems reported", report.period, tz), report),
          tables, report)
    return 0


def response_report(engine: Engine, settings: Settings, args: argparse.Namespace, now: datetime) -> ResponseReport:
    """The response report the flags ask for, narrowed to a service and a subject as the problems report is
    (``--route X`` is ``--subject line:X``); unknown ones are errors naming the known ones."""
    tz = settings.operator.timezone
    period = parse_period(args.since, args.until, tz=tz, now=now)
    service, route, subject = narrowing(engine, settings, args, lambda: load_gtfs(settings))
    if route is not None:
        subject = (SubjectKind.LINE, route)
    refresh_insight(engine, settings, now=now)
    times = ResponseTimes(engine, tz=tz, target_minutes=settings.console.response_target_minutes,
                          service=service, subject=subject)
    return times.report(period, now=now)


def response_header(report: ResponseReport, tz: str) -> str:
    """The response report's first line, and what it is narrowed to (a service, a subject)."""
    lines = [render.period_header("How fast we answer", report.period, tz)]
    if report.service:
        lines.append(f"Service: {report.service}")
    if report.subject:
        label = report.subject_labels.get(report.subject)
        lines.append(f"Messages naming {label} ({report.subject})" if label else f"Messages naming {report.subject}")
    return "\n".join(lines)


def _response(engine: Engine, settings: Settings, args: argparse.Namespace, stdout: IO[str], now: datetime) -> int:
    report = response_report(engine, settings, args, now)
    _emit(args, stdout, response_header(report, settings.operator.timezone), render.response_tables(report), report)
    return 0


def _service(engine: Engine, settings: Settings, args: argparse.Namespace, stdout: IO[str], now: datetime) -> int:
    tz = settings.operator.timezone
    lines_served(settings, "report service (trips promised versus delivered)", subjects=False)
    gtfs = load_gtfs(settings)
    reports = ServiceReports.for_settings(engine, gtfs, settings)
    day = parse_day(args.date, tz, now)
    route = known_route(engine, settings, gtfs, args.route) if args.route else None
    days = [reports.route_day(route, day, now=now)] if route else []
    overview = [] if route else reports.day_overview(day)
    header = f"Promised versus delivered on {day}"
    coverage = reports.day_coverage(day, now=now)
    note = service_note(settings, day, days, overview)
    if note:
        header = f"{header}\n{note}"
        if args.format != "table":
            print(f"sportello: {note}", file=sys.stderr)
    _emit(args, stdout, header, render.service_tables(days, overview, coverage),
          {"days": days, "overview": overview, "coverage": coverage})
    return 0


def service_note(settings: Settings, day: date, days: list[ServiceDay], overview: list[RouteDayCount]) -> str | None:
    """Why "promised versus delivered" has no trips delivered to show, when it has none."""
    if any(d.seen for d in days) or any(r.seen for r in overview):
        return None
    if settings.knowledge.trip_updates.source is None:
        return ("No trips delivered to compare: knowledge.trip_updates.source is not set, so no trip updates "
                "are recorded. Set it to the operator's GTFS-Realtime TripUpdates feed (a file or an URL).")
    if settings.reports.snapshot_seconds == 0:
        return "No trips delivered to compare: reports.snapshot_seconds is 0, so trip updates are not recorded."
    return f"No trip updates were recorded on {day}: the feed was down, or sportello was not running."


def _emit(args: argparse.Namespace, stdout: IO[str], header: str, tables: list[render.Table], report: object) -> None:
    if args.format == "csv":
        _write(args.output, stdout, render.to_csv(tables))
    elif args.format == "json":
        _write(args.output, stdout, render.to_json(report))
    else:
        _write(args.output, stdout, render.to_text(header, tables))


REPORTS = {"problems": _problems, "response": _response, "service": _service}


def report_command(name: str, args: argparse.Namespace, settings: Settings, stdout: IO[str] = sys.stdout,
                   *, now: datetime | None = None) -> int:
    """Run one report; 0 on success (errors are raised as :class:`InsightError`)."""
    engine = open_database(settings.storage.url, echo=settings.storage.echo)
    try:
        return REPORTS[name](engine, settings, args, stdout, now or utcnow())
    finally:
        engine.dispose()
