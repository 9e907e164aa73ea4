"""Reports as plain tables: aligned text for the terminal, tidy CSV and JSON for other tools."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.insight.period import Period
from bot.insight.problems import Count, ProblemReport, Trend
from bot.insight.response import BUCKET_LABELS, Measure, ResponseGroup, ResponseReport
from bot.insight.service import Coverage, RouteDayCount, Schedule, ServiceDay
from bot.subjects import SubjectKind, split_key

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A titled table of rows under named columns."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def share(part: int, whole: int) -> str:
    """``37%`` or ``-`` when there is nothing to share."""
    return f"{round(100 * part / whole)}%" if whole else "-"


def minutes(seconds: float | None) -> str:
    """A duration for people: ``45 s``, ``7.5 min``, ``3.2 h``."""
    if seconds is None:
        return "-"
    if seconds < 0:
        return f"-{minutes(-seconds)} early" if seconds <= -60 else f"{seconds:.0f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


# -- text, CSV, JSON ----------------------------------------------------------------------------
def to_text(header: str, tables: Sequence[Table]) -> str:
    """Aligned columns, one block per table."""
    out = [header, ""]
    for table in tables:
        cells = [[_cell(c) for c in row] for row in table.rows]
        widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(table.columns)]
        out.append(table.title)
        out.append("  ".join(col.ljust(w) for col, w in zip(table.columns, widths, strict=True)).rstrip())
        out.append("  ".join("-" * w for w in widths))
        for row in cells or [["(none)"] + [""] * (len(widths) - 1)]:
            out.append("  ".join(_align(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
        out.append("")
    return "\n".join(out)


def to_csv(tables: Sequence[Table]) -> str:
    """Tidy CSV: ``section,key,column,value``, one line per cell, for spreadsheets and scripts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "column", "value"))
    for table in tables:
        for row in table.rows:
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow((table.title, _cell(row[0]), column, "" if value is None else value))
    return buffer.getvalue()


def to_json(report: Any) -> str:
    """A report dataclass as indented JSON (dates in ISO 8601)."""
    return json.dumps(_plain(report), ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in ("unknown", "known_share", "change", "bot_alone_share", "handed_share", "hit_rate", "missed",
                     "has_data", "time_share", "trip_share", "first_hit_rate", "first_wait_is_bound"):
            if hasattr(type(value), name):
                data[name] = getattr(value, name)
        return data
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _cell(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _align(text: str, width: int) -> str:
    numeric = text.replace(".", "", 1).replace("%", "").replace("-", "", 1).strip().isdigit()
    return text.rjust(width) if numeric else text.ljust(width)


# -- problems -----------------------------------------------------------------------------------
def problem_tables(report: ProblemReport, labels: dict[str, str] | None = None) -> list[Table]:
    """The problems report as tables."""
    labels = labels or {}
    columns = ("reports", "matched alert", "no alert", "alert share")

    def counts(title: str, first: str, rows: list[Count], name: bool = False) -> Table:
        body = [(labels.get(c.key, c.key) if name else c.key, c.reports, c.known, c.unknown,
                 share(c.known, c.reports)) for c in rows]
        return Table(title, (first, *columns), body)

    def trends(title: str, first: str, rows: list[Trend], name: bool = False) -> Table:
        body = [(labels.get(t.key, t.key) if name else t.key, t.this_week, t.last_week, f"{t.change:+d}",
                 share(t.known_this_week, t.this_week)) for t in rows]
        return Table(title, (first, "this week", "last week", "change", "alert share"), body)

    def subject(key: str) -> tuple[str, str]:
        kind, ident = split_key(key)
        named = report.subject_labels.get(key) or (labels.get(ident) if kind == SubjectKind.LINE else None)
        return str(kind), named or ident

    by_subject = Table("By subject", ("kind", "subject", *columns), [
        (*subject(c.key), c.reports, c.known, c.unknown, share(c.known, c.reports)) for c in report.by["subject"]])
    total = report.total
    return [
        Table("Total", ("", *columns), [("all", total.reports, total.known, total.unknown,
                                         share(total.known, total.reports))]),
        by_subject,
        trends("Top lines, last 7 days against the 7 before", "line", report.top_routes, name=True),
        trends("Top stops, last 7 days against the 7 before", "stop", report.top_stops),
        counts("By line", "line", report.by["route"], name=True),
        counts("By stop", "stop", report.by["stop"]),
        counts("By kind of problem", "category", report.by["category"]),
        counts("By channel", "channel", report.by["channel"]),
        counts("By hour of day (local)", "hour", report.by["hour"]),
    ]


# -- response -----------------------------------------------------------------------------------
def _measure_cells(m: Measure) -> tuple[Cell, ...]:
    return (m.count, minutes(m.mean_s), minutes(m.median_s), minutes(m.p90_s),
            *(share(b, m.count) for b in m.buckets))


def response_tables(report: ResponseReport, labels: dict[str, str] | None = None) -> list[Table]:
    """The response report as tables: every average beside the oldest message still waiting, the
    unanswered counted (at their wait so far) and every message past the target a miss; ``labels``
    names subjects (``street:bari:via-sparano`` -> ``Via Sparano``)."""
    measure_columns = ("n", "mean", "median", "p90", *BUCKET_LABELS, "oldest waiting now")
    overall = report.overall
    oldest = minutes(report.backlog.oldest_age_s) if report.backlog.oldest_id else "none"
    names = {
        "first_reply": "First response (answered cases only)",
        "first_wait": "First response, counting the unanswered at their wait so far"
                      + (" (at least)" if overall.first_wait_is_bound else ""),
        "first_human": "First response by a person",
        "next_reply": "Next reply (each citizen message answered)",
        "resolution": "Resolution",
    }
    bound = "at least " if overall.first_wait_is_bound else ""
    target = f"{report.target_minutes:g} min"
    tables = [
        Table("Overall", ("figure", *measure_columns),
              [(label, *_measure_cells(getattr(overall, key)), oldest) for key, label in names.items()]),
        Table("Against the reference and the target", ("figure", "value"), [
            ("our mean first response, answered cases only", minutes(overall.first_reply.mean_s)),
            ("our mean first response, counting the unanswered", bound + minutes(overall.first_wait.mean_s)),
            ("our median first response, counting the unanswered", bound + minutes(overall.first_wait.median_s)),
            ("our mean first response by a person", minutes(overall.first_human.mean_s)),
            ("reference: large operator, mean", minutes(report.reference_minutes * 60)),
            ("response target", target),
            ("hit rate: messages answered within the target (late, or waiting past it: a miss)",
             share(overall.replies_met, overall.replies_due)),
            ("first response within the target, per case (unanswered past it: a miss)",
             share(overall.target_met, overall.target_due)),
            ("still waiting for a first answer (past the target)",
             f"{overall.waiting} ({overall.waiting_past_target})"),
            ("oldest message waiting now", oldest),
            ("cases", overall.cases),
            ("resolved by the bot alone", share(overall.bot_alone, overall.cases)),
            ("handed to a person", share(overall.handed, overall.cases)),
        ]),
        Table("Backlog now", ("state", "messages"),
              [(state, n) for state, n in sorted(report.backlog.by_state.items())]
              + [("oldest waiting", f"#{report.backlog.oldest_id} for {minutes(report.backlog.oldest_age_s)}"
                  if report.backlog.oldest_id else "-")]),
    ]
    for dimension, title in (("channel", "By channel"), ("intent", "By intent"), ("line", "By line"),
                             ("hour", "By hour of day (local)"), ("service", "By service"),
                             ("subject", "By subject (each message under the first it names)")):
        tables.append(_dimension_table(title, dimension, report.by.get(dimension, []),
                                       labels if labels is not None else report.subject_labels))
    return tables


def _dimension_table(title: str, dimension: str, groups: list[ResponseGroup], labels: dict[str, str]) -> Table:
    rows = [
        (labels.get(g.key, g.key), g.cases, minutes(g.first_reply.median_s), minutes(g.first_reply.p90_s),
         minutes(g.first_human.median_s), minutes(g.first_human.p90_s), minutes(g.next_reply.median_s),
         minutes(g.next_reply.p90_s), minutes(g.resolution.median_s), minutes(g.resolution.p90_s),
         share(g.replies_met, g.replies_due), g.waiting, share(g.bot_alone, g.cases), share(g.handed, g.cases))
        for g in groups
    ]
    columns = (dimension, "cases", "first med", "first p90", "person med", "person p90", "next med",
               "next p90", "resol med", "resol p90", "hit rate", "unanswered", "bot alone", "handed")
    return Table(title, columns, rows)


# -- service ------------------------------------------------------------------------------------
def service_tables(days: list[ServiceDay], overview: list[RouteDayCount],
                   coverage: Coverage | None = None) -> list[Table]:
    """Promised versus delivered, per route and (for each route asked) its coverage, gaps and stops."""
    tables: list[Table] = []
    if coverage is not None and (coverage.snapshots or overview or days):
        tables.append(Table("Recording of the trip updates (the figures hold over this only)", ("figure", "value"), [
            ("time recorded", share_of(coverage.time_share) if coverage.snapshots else "no data"),
            ("recorded", ", ".join(f"{a}-{b}" for a, b in coverage.spans) or "nothing"),
            ("gaps in recording", ", ".join(f"{a}-{b}" for a, b in coverage.gaps) or "none")]))
    if overview:
        tables.append(Table("Every route with trip updates", (
            "route", "scheduled", "seen", "cancelled", "mean delay", "max delay", "late trips",
            "implausible delays"), [
            (r.label, r.scheduled, r.seen, r.cancelled, minutes(r.mean_delay_s),
             minutes(r.max_delay_s), r.late_trips, r.implausible) for r in overview]))
    for day in days:
        cov = day.coverage
        tables.append(Table(f"{day.label} on {day.day} (realtime ids {', '.join(day.realtime_ids)})",
                            ("figure", "value"), [
            ("timetable", SCHEDULE_NOTES[day.schedule]),
            ("scheduled", day.scheduled),
            ("run (seen in realtime)", day.run), ("cancelled", day.cancelled),
            ("added", day.added), ("scheduled, never seen in recorded time", day.not_seen),
            ("not recorded (scheduled in a recording gap)", day.not_recorded), ("not due yet", day.upcoming),
            ("missed", day.missed), ("mean delay", minutes(day.mean_delay_s)),
            ("max delay", minutes(day.max_delay_s)), ("late trips (5 min or more)", day.late_trips),
            ("implausible delays (left out of every average)", day.implausible),
            ("plausible delay limit", f"{day.plausible_limit_s // 60} min"),
            ("coverage: time recorded", share_of(cov.time_share) if day.has_data else "no data"),
            ("coverage: trips due that fell in recorded time",
             f"{cov.judged}/{cov.due}" if cov.due else "-"),
            ("recorded", ", ".join(f"{a}-{b}" for a, b in cov.spans) or "nothing"),
            ("gaps in recording", ", ".join(f"{a}-{b}" for a, b in cov.gaps) or "none")]))
        tables.append(Table("Gaps and recovery", ("kind", "direction", "from", "to", "trips", "recovered at"),
                            [(g.kind, g.direction, g.first, g.last, g.trips, g.recovered_at or "not yet")
                             for g in day.gaps]))
        tables.append(Table("Stops with the largest mean delay", ("stop", "mean delay", "trips"),
                            [(stop, minutes(avg), n) for stop, avg, n in day.worst_stops]))
    return tables


SCHEDULE_NOTES = {
    Schedule.TIMETABLE: "from the static feed",
    Schedule.NO_TRIPS: "the static feed has no trips, so nothing to compare against",
    Schedule.NO_STATIC: "no static feed loaded",
    Schedule.NOT_IN_STATIC: "this route is not in the static feed",
}


def share_of(value: float | None) -> str:
    """``37%`` of a share, or ``-``."""
    return "-" if value is None else f"{round(100 * value)}%"


def period_header(title: str, period: Period, tz: str) -> str:
    """The first line of a report."""
    return f"{title}: {period.label(tz)} ({tz})"
