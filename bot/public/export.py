"""The published figures as open data: one CSV row per line and day (or per line), and JSON.

Every file names its licence: JSON in a ``licence`` field, CSV in a first line starting with
``#`` (read it with ``comment="#"``), and both in a ``Link: <...>; rel="license"`` header.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.public.figures import Care, LineHistory, Network, plain

LINE_COLUMNS = (
    "line", "day", "has_data", "schedule", "scheduled", "run", "cancelled", "missed", "not_recorded",
    "not_due_yet", "recorded_share", "judged_share", "recording_gaps", "punctual", "timed", "punctual_share",
    "mean_delay_s", "implausible_delays", "snapshot_only", "alerts", "reports", "care_messages", "care_due",
    "care_answered_in_time", "care_in_time_share", "care_median_first_s", "care_median_is_at_least",
    "care_waiting",
)
NETWORK_COLUMNS = (
    "line", "label", "today_seen", "today_cancelled", "today_late", "today_implausible_delays",
    "today_alerts", "today_reports", "today_snapshot_only", "days_with_data", "days_seen", "days_cancelled",
    "days_timed", "days_punctual", "days_snapshot_only", "days_reports",
)


def licence_line(licence: str, url: str, source: str) -> str:
    """The line every file starts with."""
    return f"licence: {licence} ({url}); source: {source}; aggregates only"


def line_rows(history: LineHistory) -> list[tuple[Any, ...]]:
    """One row per day, newest first."""
    rows = []
    for d in history.days:
        rows.append((
            history.key, d.day.isoformat(), d.has_data, str(d.schedule), d.scheduled, d.run, d.cancelled,
            d.missed, d.not_recorded, d.upcoming, _round(d.recorded_share), _round(d.judged_share),
            " ".join(f"{a}-{b}" for a, b in d.gaps), d.punctual, d.timed, _round(d.punctual_share),
            _round(d.mean_delay_s), d.implausible, d.snapshot_only, " ".join(a.id for a in d.alerts), d.reports.total,
            *_care_columns(d.care),
        ))
    return rows


def _care_columns(care: Care | None) -> tuple[Any, ...]:
    """The care columns of a day (empty before the installation began recording messages)."""
    if care is None:
        return (None,) * 7
    return (care.messages, care.due, care.answered_in_time, _round(care.in_time_share), _round(care.median_first_s),
            care.median_is_bound, care.waiting)


def network_rows(network: Network) -> list[tuple[Any, ...]]:
    """One row per line, in the page's order."""
    return [(x.key, x.label, x.seen, x.cancelled, x.late, x.implausible, " ".join(a.id for a in x.alerts),
             x.reports, x.snapshot_only, x.days_with_data, x.month_seen, x.month_cancelled, x.month_timed,
             x.month_punctual, x.month_snapshot_days, x.month_reports) for x in network.lines]


def to_csv(columns: tuple[str, ...], rows: list[tuple[Any, ...]], licence: str) -> str:
    """CSV with the licence as a first ``#`` line."""
    buffer = io.StringIO()
    buffer.write(f"# {licence}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def to_json(value: Any, licence: str, licence_url: str, source: str) -> str:
    """The figures as JSON, with the licence beside them."""
    return json.dumps({"licence": licence, "licence_url": licence_url, "source": source, "data": plain(value)},
                      ensure_ascii=False, indent=1) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
