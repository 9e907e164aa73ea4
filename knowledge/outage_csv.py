"""A utility's table of planned interruptions (CSV, UTF-8, header row) read into outages.

Columns: ``id``, ``municipality_code`` (ISTAT), ``street`` (empty: the whole municipality), ``start``,
``end`` (ISO 8601; without an offset the time is Europe/Rome), ``description_it``, ``description_en``; an
optional ``area`` column names a district or zone of the operator's gazetteer (by its id) instead of a street.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from knowledge.errors import FeedError
from knowledge.outages import Outage, OutageArea, street_area

COLUMNS = ("id", "municipality_code", "street", "start", "end", "description_it", "description_en")
LOCAL = ZoneInfo("Europe/Rome")


def parse_outage_csv(data: bytes) -> list[Outage]:
    """The rows of the table as outages. Raises :class:`FeedError` naming the row and column at fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"outage table is not UTF-8: {exc}"
        raise FeedError(msg) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        msg = f"outage table lacks the columns {', '.join(missing)} (expected: {', '.join(COLUMNS)})"
        raise FeedError(msg)
    outages: list[Outage] = []
    for line, row in enumerate(reader, start=2):
        outage_id, code = (row["id"] or "").strip(), (row["municipality_code"] or "").strip()
        if not outage_id or not code:
            msg = f"outage table line {line}: id and municipality_code are required"
            raise FeedError(msg)
        start, end = _time(row["start"], line, "start"), _time(row["end"], line, "end")
        texts = {lang: (row[f"description_{lang}"] or "").strip() for lang in ("it", "en")}
        outages.append(Outage(
            id=outage_id,
            sent=None,
            areas=(_row_area(code, row),),
            start=start,
            expires=end,
            description={k: v for k, v in texts.items() if v},
        ))
    return outages


def _row_area(code: str, row: dict[str, str | None]) -> OutageArea:
    place = (row.get("area") or "").strip()
    if place:
        return OutageArea(place, areas=frozenset({place}))
    return street_area(code, row["street"])


def _time(value: str | None, line: int, column: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        msg = f"outage table line {line}: {column} {value!r} is not a date-time like 2026-12-03T08:00"
        raise FeedError(msg) from exc
    return (when if when.tzinfo else when.replace(tzinfo=LOCAL)).astimezone(timezone.utc)
