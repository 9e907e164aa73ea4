"""Response counts and duration histograms per local day and month, kept from ``response_facts``.

Durations are counted in fixed buckets (10 s wide under a minute, 30 s under 5 minutes, a
minute under 15, 5 minutes under an hour, 15 minutes under 2 hours, an hour under a day, a day
beyond: about 60 in all), each with the sum of its durations. Medians and 90th percentiles of
rolled-up days take each bucket's mean as the value of its durations: exact when a bucket holds
one distinct duration, otherwise within the bucket's width. Counts, means and the report's
bands (1, 5, 15 and 60 minutes are bucket edges) are exact. A day is rebuilt whenever a case
with a message on that day is touched, the same rule that rebuilds the facts; the rollup
holds one response target and one time zone, and is rebuilt whole when either changes.

The same rows are kept per scope (``response_scoped_rollup`` and ``response_scoped_histogram``): per
service (``service:water``) and per area any of a message's problem records names (a municipality, district or
zone: ``subject:municipality:072006``), so a report narrowed to one reads whole days from them. Lines, stops,
streets, addresses and service points are not kept there: they are many and each is named by few messages, so
their rows compressed little (per subject, a day's rows were about as many as its facts) and were most of the
scoped rows; a report narrowed to one reads its messages' facts found through the problem records' subject
index (:mod:`bot.insight.response`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    select,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Select

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
from bot.subjects import SubjectKind
from storage.models import (
    Case,
    Message,
    ProblemRecord,
    ResponseFact,
    ResponseHistogram,
    ResponseRollup,
    ResponseScopedHistogram,
    ResponseScopedRollup,
)

F = ResponseFact.__table__.c
M = Message.__table__.c
RR = ResponseRollup.__table__
RH = ResponseHistogram.__table__
SR = ResponseScopedRollup.__table__
SH = ResponseScopedHistogram.__table__
FACTS = ResponseFact.__table__
P = ProblemRecord.__table__.c
NAME = "response_rollup"
MARGIN = timedelta(minutes=10)
MEASURES = ("first_reply", "first_human", "next_reply", "resolution")
DIMENSIONS = ("all", "channel", "intent", "line", "hour", "service", "subject")
#: ``(below, width)``: durations under ``below`` seconds fall in buckets ``width`` seconds wide.
STEPS = ((60, 10), (300, 30), (900, 60), (3600, 300), (7200, 900), (86400, 3600), (None, 86400))
#: Names the bucket edges (and the counts' version) in the saved state: other edges mean a rebuild.
EDGES = ",".join(f"{below}:{width}" for below, width in STEPS) + ";replies_met;service,subject;scoped:service,area"
COUNTS = ("messages", "cases", "resolved", "bot_alone", "handed", "target_met", "replies_met")
#: Each pair of tables with the columns that key a row beside ``dimension``, ``grain``, ``day`` and ``key``.
TABLES = ((RR, RH, ()), (SR, SH, ("scope",)))
#: The subject kinds kept per subject in the scoped rollup: areas, few and each named by many messages.
ROLLED_KINDS = tuple(str(kind) for kind in SubjectKind if kind.is_area)


def rolled_up(kind: SubjectKind | str) -> bool:
    """Whether the scoped rollup keeps rows per subject of ``kind`` (the areas), else its facts are read."""
    return str(kind) in ROLLED_KINDS


def service_scope(service: str) -> str:
    """The scope of one service's facts in the scoped rollup."""
    return f"service:{service}"


def subject_scope(kind: str, ident: str) -> str:
    """The scope of the facts of the messages naming one subject (any of their problem records)."""
    return f"subject:{kind}:{ident}"


def _scopes(span: Period) -> list[tuple[ColumnElement, FromClause]]:
    """How a fact of ``span`` falls in scopes, and what to read it from: its service's scope, and one scope per
    area its message's problem records name (each once; only the records of the span's facts are read)."""
    facts = select(F.message_id).where(F.received_at >= as_utc(span.since), F.received_at < as_utc(span.until))
    named = (select(P.message_id, P.subject_kind, P.subject_id)
             .where(P.subject_kind.in_(ROLLED_KINDS), P.message_id.in_(facts)).distinct().subquery("named"))
    return [
        (constant("service:") + F.service, FACTS),
        (constant("subject:") + named.c.subject_kind + ":" + named.c.subject_id,
         FACTS.join(named, named.c.message_id == F.message_id)),
    ]


def fact_key(dimension: str, dialect: str, tz: str, span: Period) -> ColumnElement:
    """The key a fact is grouped under for ``dimension`` (``all``: one group)."""
    if dimension == "all":
        return constant("all")
    if dimension == "hour":
        return cast(local_hour(F.received_at, dialect, tz, as_utc(span.since), as_utc(span.until)), String)
    if dimension == "subject":  # ``kind:id`` of the message's first subject (NULL when it names none)
        return F.subject_kind + ":" + F.subject_id
    return {"channel": F.channel, "intent": func.coalesce(F.intent, "-"), "line": F.route_id,
            "service": F.service}[dimension]


def whole(value: ColumnElement, dialect: str) -> ColumnElement:
    """``value`` rounded down to an integer (PostgreSQL's CAST rounds; SQLite's truncates, the
    same for the durations and ranks here, which are never negative)."""
    return cast(func.floor(value), Integer) if dialect == "postgresql" else cast(value, Integer)


def bucket_low(value: ColumnElement, dialect: str) -> ColumnElement:
    """The lower edge of the bucket ``value`` falls in."""
    whens = [(value < below, whole(value / width, dialect) * width) for below, width in STEPS if below]
    return case(*whens, else_=whole(value / STEPS[-1][1], dialect) * STEPS[-1][1])


def fact_counts(target_s: float) -> list[ColumnElement]:
    """``messages, cases, resolved, bot_alone, handed, target_met, replies_met`` of a group of facts
    (``target_met``: cases first answered in time; ``replies_met``: messages answered in time)."""
    opens = F.opens_case == True
    columns = [
        func.count(),
        _sum(opens),
        _sum(and_(opens, F.resolved == True)),
        _sum(and_(opens, F.resolved == True, F.handed == False)),
        _sum(and_(opens, F.handed == True)),
        _sum(and_(opens, F.first_reply_s <= target_s)),
        _sum(F.next_reply_s <= target_s),
    ]
    return [column.label(name) for column, name in zip(columns, COUNTS, strict=True)]


def _sum(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def refresh_response_rollup(engine: Engine, *, now: datetime, tz: str, target_s: float) -> int:
    """Rebuild the days of every case touched since the last run (all of them the first time, or
    when the time zone or the target changed); returns how many days were rebuilt."""
    dialect = engine.dialect.name
    with engine.begin() as conn:
        state = load_state(conn, NAME)
        newest = conn.execute(select(func.max(M.updated_at))).scalar()
        oldest = conn.execute(select(func.min(F.received_at))).scalar()  # apart: each reads one end
        latest = conn.execute(select(func.max(F.received_at))).scalar()  # of the index
        if newest is None or oldest is None:
            return 0
        everything = Period(as_utc(oldest), as_utc(latest) + timedelta(seconds=1))
        fresh = covered_for(state, tz, target_s) is None
        if fresh:
            for table in (RR, RH, SR, SH):
                conn.execute(delete(table))
            days = [(local_day(everything.since, tz), local_day(everything.until, tz) + timedelta(days=1))]
        else:
            cutoff = datetime.fromisoformat(state["watermark"]) - MARGIN
            days = _runs(_touched(conn, dialect, tz, cutoff, everything))
        built, months = 0, set()
        for low, high in days:
            if not fresh:
                _shift_months(conn, dialect, low, high, -1)
            _build_days(conn, dialect, tz, target_s, low, high)
            if not fresh:
                _shift_months(conn, dialect, low, high, 1)
            built += (high - low).days
            month = month_of(low)
            while month < high:
                months.add(month)
                month = month_span(month)[1]
        for month in sorted(months):
            if fresh:
                _build_month(conn, dialect, month)
            else:
                _prune_month(conn, month)
        covered = max(local_day(as_utc(now), tz), local_day(everything.until, tz)) + timedelta(days=1)
        if not fresh:
            covered = max(covered, date.fromisoformat(state["covered"]))
        save_state(conn, NAME, {"tz": tz, "target_s": target_s, "edges": EDGES,
                                "watermark": as_utc(newest).isoformat(), "covered": covered.isoformat()}, as_utc(now))
    return built


def covered_for(state: dict | None, tz: str, target_s: float) -> date | None:
    """The first day the rollup does not hold, if it was built for ``tz``, ``target_s`` and these
    bucket edges."""
    if not state or (state.get("tz"), state.get("target_s"), state.get("edges")) != (tz, target_s, EDGES):
        return None
    return date.fromisoformat(state["covered"])


def _touched(conn: Connection, dialect: str, tz: str, cutoff: datetime, everything: Period) -> list[date]:
    cases = Case.__table__.c
    changed = union(
        select(M.case_id).where(M.updated_at >= as_utc(cutoff), M.case_id.is_not(None)),
        select(cases.id).where(cases.closed_at >= as_utc(cutoff)),
    )
    day = day_sql(F.received_at, dialect, tz, everything.since, everything.until)
    found = conn.execute(select(day).distinct().where(F.case_id.in_(changed))).scalars()
    return sorted(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in found)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as ``[first, after last)`` ranges."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + timedelta(days=1))
        else:
            runs.append((day, day + timedelta(days=1)))
    return runs


def _histogram_rows(dimension: str, dialect: str, tz: str, span: Period, day: ColumnElement,
                    scope: tuple[ColumnElement, FromClause] | None = None) -> Select:
    key = fact_key(dimension, dialect, tz, span)
    parts = []
    for name in MEASURES:
        value = F[f"{name}_s"]
        part = select(day.label("day"), *([scope[0].label("scope")] if scope else []), key.label("key"),
                      constant(name).label("measure"), bucket_low(value, dialect).label("low"), value.label("value"))
        parts.append((part.select_from(scope[1]) if scope else part)
                     .where(value.is_not(None), key.is_not(None),
                            F.received_at >= as_utc(span.since), F.received_at < as_utc(span.until)))
    rows = union_all(*parts).subquery("durations")
    c = rows.c
    scoped = [c.scope] if scope else []
    return (select(constant(DAY), c.day, constant(dimension), *scoped, c.key, c.measure, c.low, func.count(),
                   func.sum(c.value))
            .group_by(c.day, *scoped, c.key, c.measure, c.low))


def _build_days(conn: Connection, dialect: str, tz: str, target_s: float, low: date, high: date) -> None:
    span = as_period(low, high, tz)
    for counts_table, histogram_table, _extra in TABLES:
        for table in (counts_table, histogram_table):
            for dimension in DIMENSIONS:  # one primary-key range each
                conn.execute(delete(table).where(table.c.dimension == dimension, table.c.grain == DAY,
                                                 table.c.day >= low, table.c.day < high))
    day = day_sql(F.received_at, dialect, tz, span.since, span.until)
    within = (F.received_at >= as_utc(span.since), F.received_at < as_utc(span.until))
    for dimension in DIMENSIONS:
        key = fact_key(dimension, dialect, tz, span)
        keyed = [] if dimension == "all" else [key]
        counts = (select(constant(DAY), day, constant(dimension), key, *fact_counts(target_s))
                  .where(*within, key.is_not(None)).group_by(day, *keyed))
        conn.execute(RR.insert().from_select(["grain", "day", "dimension", "key", *COUNTS], counts))
        conn.execute(RH.insert().from_select(["grain", "day", "dimension", "key", "measure", "low", "n", "total_s"],
                                             _histogram_rows(dimension, dialect, tz, span, day)))
        for scope, source in _scopes(span):  # the same per service and per subject named
            counts = (select(constant(DAY), day, constant(dimension), scope, key, *fact_counts(target_s))
                      .select_from(source).where(*within, key.is_not(None)).group_by(day, scope, *keyed))
            conn.execute(SR.insert().from_select(["grain", "day", "dimension", "scope", "key", *COUNTS], counts))
            conn.execute(SH.insert().from_select(
                ["grain", "day", "dimension", "scope", "key", "measure", "low", "n", "total_s"],
                _histogram_rows(dimension, dialect, tz, span, day, (scope, source))))


def _build_month(conn: Connection, dialect: str, month: date) -> None:
    low, high = month_span(month)
    first = date_constant(month, dialect)
    for counts_table, histogram_table, extra in TABLES:
        for table in (counts_table, histogram_table):
            for dimension in DIMENSIONS:
                conn.execute(delete(table).where(table.c.dimension == dimension, table.c.grain == MONTH,
                                                 table.c.day == month))
        r, h = counts_table.c, histogram_table.c
        for dimension in DIMENSIONS:  # one primary-key range each
            conn.execute(counts_table.insert().from_select(
                ["grain", "day", "dimension", *extra, "key", *COUNTS],
                select(constant(MONTH), first, r.dimension, *[r[e] for e in extra], r.key,
                       *[func.sum(r[c]) for c in COUNTS])
                .where(r.dimension == dimension, r.grain == DAY, r.day >= low, r.day < high)
                .group_by(r.dimension, *[r[e] for e in extra], r.key)))
            conn.execute(histogram_table.insert().from_select(
                ["grain", "day", "dimension", *extra, "key", "measure", "low", "n", "total_s"],
                select(constant(MONTH), first, h.dimension, *[h[e] for e in extra], h.key, h.measure, h.low,
                       func.sum(h.n), func.sum(h.total_s))
                .where(h.dimension == dimension, h.grain == DAY, h.day >= low, h.day < high)
                .group_by(h.dimension, *[h[e] for e in extra], h.key, h.measure, h.low)))


def _upsert(conn: Connection, dialect: str, table: Table, names: list[str], query: Select,
            summed: tuple[str, ...]) -> None:
    """``INSERT ... SELECT`` adding ``summed`` columns into rows already there."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).from_select(names, query)
    keys = [c.name for c in table.primary_key.columns]
    conn.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in summed}))


def _shift_months(conn: Connection, dialect: str, low: date, high: date, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the day rows of ``[low, high)`` to or from the rows of
    their months: a day rebuilt costs its own rows, not its month's."""
    month = month_of(low)
    while month < high:
        after = month_span(month)[1]
        first, start, stop = date_constant(month, dialect), max(low, month), min(high, after)
        for counts_table, histogram_table, extra in TABLES:
            r, h = counts_table.c, histogram_table.c
            for dimension in DIMENSIONS:
                _upsert(conn, dialect, counts_table, ["grain", "day", "dimension", *extra, "key", *COUNTS],
                        select(constant(MONTH), first, r.dimension, *[r[e] for e in extra], r.key,
                               *[sign * func.sum(r[c]) for c in COUNTS])
                        .where(r.dimension == dimension, r.grain == DAY, r.day >= start, r.day < stop)
                        .group_by(r.dimension, *[r[e] for e in extra], r.key), COUNTS)
                _upsert(conn, dialect, histogram_table,
                        ["grain", "day", "dimension", *extra, "key", "measure", "low", "n", "total_s"],
                        select(constant(MONTH), first, h.dimension, *[h[e] for e in extra], h.key, h.measure, h.low,
                               sign * func.sum(h.n), sign * func.sum(h.total_s))
                        .where(h.dimension == dimension, h.grain == DAY, h.day >= start, h.day < stop)
                        .group_by(h.dimension, *[h[e] for e in extra], h.key, h.measure, h.low), ("n", "total_s"))
        month = after


def _prune_month(conn: Connection, month: date) -> None:
    """Drop the month rows that taking days away left empty."""
    for counts_table, histogram_table, _extra in TABLES:
        for dimension in DIMENSIONS:
            conn.execute(delete(counts_table).where(counts_table.c.dimension == dimension,
                                                    counts_table.c.grain == MONTH, counts_table.c.day == month,
                                                    counts_table.c.messages == 0))
            conn.execute(delete(histogram_table).where(histogram_table.c.dimension == dimension,
                                                       histogram_table.c.grain == MONTH,
                                                       histogram_table.c.day == month, histogram_table.c.n == 0))
