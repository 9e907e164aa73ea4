"""SQL expressions both databases agree on: local hour and day, durations, percentiles.

PostgreSQL knows time zones and percentiles; SQLite knows neither. For SQLite the local time
is the stored UTC time shifted by the zone's offset, the offset chosen per instant by a CASE
over the zone's transitions inside the period (two a year for Europe/Rome).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Integer, String, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from bot.domain import as_utc

_STEP = timedelta(hours=6)


def offset_minutes(tz: str, moment: datetime) -> int:
    """The zone's UTC offset at ``moment``, in minutes."""
    offset = as_utc(moment).astimezone(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def offset_changes(tz: str, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """``[(instant, offset from then on)]`` for every offset change in ``[since, until)``."""
    changes: list[tuple[datetime, int]] = []
    moment, current = as_utc(since), offset_minutes(tz, since)
    end = as_utc(until)
    while moment < end:
        step = min(moment + _STEP, end)
        if offset_minutes(tz, step) != current:
            low, high = moment, step  # the change lies in (low, high]: bisect to the minute
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if offset_minutes(tz, mid) == current:
                    low = mid
                else:
                    high = mid
            high = high.replace(second=0, microsecond=0)
            current = offset_minutes(tz, high)
            changes.append((high, current))
        moment = step
    return changes


def _sqlite_offset(column: ColumnElement, tz: str, since: datetime, until: datetime) -> ColumnElement:
    changes = offset_changes(tz, since, until)
    first = offset_minutes(tz, since)
    if not changes:
        return literal(first, Integer)
    bounds = [at for at, _ in changes]
    values = [first] + [offset for _, offset in changes]
    whens = [(column < literal(at, DateTime(timezone=True)), values[i]) for i, at in enumerate(bounds)]
    return case(*whens, else_=values[-1])


def local_hour(
    column: ColumnElement, dialect: str, tz: str, since: datetime, until: datetime
) -> ColumnElement:
    """The local hour (0-23) of a timestamp column, for rows inside ``[since, until)``."""
    if dialect == "postgresql":
        return cast(func.extract("hour", func.timezone(tz, column)), Integer)
    # SQLAlchemy stores SQLite timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here): reading
    # the digits is much cheaper than parsing the date.
    minutes = (
        cast(func.substr(column, 12, 2), Integer) * 60
        + cast(func.substr(column, 15, 2), Integer)
        + _sqlite_offset(column, tz, since, until)
        + 1440
    )
    return cast((minutes % 1440) / 60, Integer)


def local_date(
    column: ColumnElement, dialect: str, tz: str, since: datetime, until: datetime
) -> ColumnElement:
    """The local date of a timestamp column as ``YYYY-MM-DD`` text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM-DD")
    shift = func.printf("%+d minutes", _sqlite_offset(column, tz, since, until))
    return cast(func.date(column, shift), String)


def seconds_between_sql(later: str, earlier: str, dialect: str) -> str:
    """``later - earlier`` in seconds (NULL when either is NULL), as SQL text for hand-written statements."""
    if dialect == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({later}) - ({earlier})) AS DOUBLE PRECISION)"
    return f"ROUND((julianday({later}) - julianday({earlier})) * 86400.0, 3)"


def true_sql(dialect: str) -> str:
    """A boolean TRUE literal both databases store in a BOOLEAN column."""
    return "TRUE" if dialect == "postgresql" else "1"


def false_sql(dialect: str) -> str:
    """A boolean FALSE literal both databases store in a BOOLEAN column."""
    return "FALSE" if dialect == "postgresql" else "0"
