"""Distinct reports per local day and month, kept current from the problem log.

A day is rolled up once it is over (less a margin for late commits). Records added later for a
day already rolled up (a correction redoes a message's records) are found by their id, higher
than the last one seen, and their days are rebuilt; months are rebuilt from their days. Every
statement is a set-based ``INSERT ... SELECT``; counts stay distinct messages because all the
records of a message share its time, hence its day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    String,
    case,
    cast,
    delete,
    distinct,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from bot.domain import as_utc
from bot.insight.cells import DAY, MONTH, as_period, month_of, month_span
from bot.insight.period import Period, local_day
from bot.insight.rollup_state import (
    constant,
    date_constant,
    day_sql,
    load_state,
    save_state,
)
from bot.insight.sqltime import local_hour
from storage.models import ProblemRecord, ProblemRollup

P = ProblemRecord.__table__.c
R = ProblemRollup.__table__.c
NAME = "problem_rollup"
MARGIN = timedelta(minutes=10)
#: What the rollup holds: ``heat`` is reports per line and local hour, ``subject`` per subject key
#: (``kind:id``, :attr:`bot.subjects.Subject.key`). A rollup built with other dimensions is rebuilt.
ROLLED = ("all", "route", "stop", "category", "channel", "hour", "heat", "subject")


def subject_key() -> ColumnElement:
    """A record's subject as its key, ``kind:id`` (NULL for a record without a subject)."""
    return P.subject_kind + ":" + P.subject_id


def counted(dimension: str, span: Period, dialect: str, tz: str, *, by_day: bool = False,
            where: tuple[ColumnElement, ...] = ()) -> Select:
    """Distinct reports (and those matching an alert) per key and hour in ``span``, straight from
    the records: columns ``[day,] key, hour, reports, known``."""
    since, until = as_utc(span.since), as_utc(span.until)
    hour: ColumnElement = constant(-1)
    if dimension == "all":
        key: ColumnElement = constant("")
    elif dimension == "hour":
        key = cast(local_hour(P.at, dialect, tz, since, until), String)
    elif dimension == "heat":
        key, hour = P.route_id, local_hour(P.at, dialect, tz, since, until)
    else:
        key = {"route": P.route_id, "stop": P.stop_name, "category": P.category, "channel": P.channel,
               "subject": subject_key()}[dimension]
    known = func.count(distinct(case((P.alert_id.is_not(None), P.message_id))))
    columns = [key.label("key"), hour.label("hour"), func.count(distinct(P.message_id)).label("reports"),
               known.label("known")]
    groups = {"all": [], "heat": [key, hour]}.get(dimension, [key])
    if by_day:
        day = day_sql(P.at, dialect, tz, since, until)
        columns.insert(0, day.label("day"))
        groups.insert(0, day)
    query = select(*columns).where(P.at >= since, P.at < until, *where)
    if dimension != "all":
        query = query.where(key.is_not(None))
    return query.group_by(*groups) if groups else query


def refresh_problem_rollup(engine: Engine, *, now: datetime, tz: str) -> int:
    """Roll up every finished day not rolled up yet and every day records were added to since
    the last run (everything when ``tz`` changed); returns how many days were rebuilt."""
    dialect = engine.dialect.name
    target = local_day(as_utc(now) - MARGIN, tz)
    with engine.begin() as conn:
        state = load_state(conn, NAME)
        last_id = conn.execute(select(func.max(P.id))).scalar()
        if last_id is None:
            return 0
        if state is None or state.get("tz") != tz or not state.get("covered") or state.get("rolled") != list(ROLLED):
            conn.execute(delete(ProblemRollup.__table__))
            oldest = conn.execute(select(func.min(P.at))).scalar()
            ranges = [(local_day(as_utc(oldest), tz), target)]
            covered = target
        else:
            covered = date.fromisoformat(state["covered"])
            ranges = [(day, day + timedelta(days=1)) for day in _touched(conn, dialect, tz, state["last_id"], covered)]
            ranges.append((covered, target))
            covered = max(covered, target)
        built = 0
        months: set[date] = set()
        for low, high in ranges:
            if low >= high:
                continue
            _build_days(conn, dialect, tz, low, high)
            built += (high - low).days
            month = month_of(low)
            while month < high:
                months.add(month)
                month = month_span(month)[1]
        for month in sorted(months):
            _build_month(conn, dialect, month)
        state = {"tz": tz, "last_id": int(last_id), "covered": covered.isoformat(), "rolled": list(ROLLED)}
        save_state(conn, NAME, state, as_utc(now))
    return built


def _touched(conn: Connection, dialect: str, tz: str, last_id: int, covered: date) -> list[date]:
    """Days before ``covered`` that records with ids above ``last_id`` belong to."""
    newer = P.id > last_id  # read by the primary key alone: the ids are few
    low, high = conn.execute(select(func.min(P.at), func.max(P.at)).where(newer)).one()
    if low is None:
        return []
    day = day_sql(P.at, dialect, tz, as_utc(low), as_utc(high) + timedelta(seconds=1))
    found = conn.execute(select(day).distinct().where(newer)).scalars()
    days = {d if isinstance(d, date) else date.fromisoformat(str(d)) for d in found}
    return sorted(d for d in days if d < covered)


def _build_days(conn: Connection, dialect: str, tz: str, low: date, high: date) -> None:
    for dimension in ROLLED:  # one primary-key range each
        conn.execute(delete(ProblemRollup.__table__).where(R.dimension == dimension, R.grain == DAY,
                                                           R.day >= low, R.day < high))
    span = as_period(low, high, tz)
    for dimension in ROLLED:
        rows = counted(dimension, span, dialect, tz, by_day=True).subquery()
        query = select(constant(DAY), rows.c.day, constant(dimension), rows.c.key, rows.c.hour,
                       rows.c.reports, rows.c.known)
        conn.execute(ProblemRollup.__table__.insert().from_select(
            ["grain", "day", "dimension", "key", "hour", "reports", "known"], query))


def _build_month(conn: Connection, dialect: str, month: date) -> None:
    low, high = month_span(month)
    for dimension in ROLLED:
        conn.execute(delete(ProblemRollup.__table__).where(R.dimension == dimension, R.grain == MONTH,
                                                           R.day == month))
    for dimension in ROLLED:  # one primary-key range each
        query = (
            select(constant(MONTH), date_constant(month, dialect), R.dimension, R.key, R.hour,
                   func.sum(R.reports), func.sum(R.known))
            .where(R.dimension == dimension, R.grain == DAY, R.day >= low, R.day < high)
            .group_by(R.dimension, R.key, R.hour)
        )
        conn.execute(ProblemRollup.__table__.insert().from_select(
            ["grain", "day", "dimension", "key", "hour", "reports", "known"], query))
