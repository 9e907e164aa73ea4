"""The hot path's SQL, built once with named parameters: building a statement costs more than running it.

SQLAlchemy Core constructs are compiled once and cached; what remains per execution is binding
the parameters. Names that start with ``b_`` are parameters of a WHERE clause, so that an
``UPDATE`` executed with column names as keys sets exactly those columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Executable, Insert, bindparam, insert, literal_column, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound

from storage.models import WORK_STATES_SQL, Message, Reply, Transition

MESSAGES = Message.__table__  # type: ignore[attr-defined]
REPLIES = Reply.__table__  # type: ignore[attr-defined]
TRANSITIONS = Transition.__table__  # type: ignore[attr-defined]
_m = MESSAGES.c

NEW_TRANSITION = insert(TRANSITIONS)
NEW_REPLY = insert(REPLIES).returning(REPLIES.c.id)

#: A held message moved on, fenced by its lease: no row changes unless the lease is still ours.
FENCED_UPDATE = update(MESSAGES).where(
    _m.id == bindparam("b_id"),
    _m.state == bindparam("b_state"),
    _m.lease_owner == bindparam("b_worker"),
    _m.lease_until >= bindparam("b_now", type_=_m.lease_until.type),
)
REPLY_UPDATE = update(REPLIES).where(REPLIES.c.id == bindparam("b_id"))

@cache
def new_message(dialect: str) -> Executable:
    """Insert a message unless (channel, external id) is stored: only that key is a duplicate."""
    module = postgresql if dialect == "postgresql" else sqlite
    return (
        module.insert(MESSAGES)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(_m.id)
    )


@cache
def claim(dialect: str, *, by_channel: bool) -> Executable:
    """Lease up to ``b_limit`` of the oldest messages with work to do, returning their rows.

    The ids come from a walk of the partial work index in id order (whatever the backlog):
    on SQLite ``INDEXED BY`` names that walk (its planner would rather sort the backlog) and
    ``+channel`` keeps the channel filter off any index; on PostgreSQL rows another worker is
    claiming are skipped (``SKIP LOCKED``).
    """
    if dialect == "sqlite":
        channel = " AND +channel IN :b_channels" if by_channel else ""
        sql = (
            f"SELECT id FROM messages INDEXED BY ix_messages_work WHERE {WORK_STATES_SQL}"
            f" AND (lease_until IS NULL OR lease_until < :b_now){channel} ORDER BY id LIMIT :b_limit"
        )
        params = [bindparam("b_now", type_=_m.lease_until.type), bindparam("b_limit")]
        if by_channel:
            params.append(bindparam("b_channels", expanding=True))
        free = text(sql).bindparams(*params).columns(_m.id)
    else:
        free = (
            select(_m.id)
            .where(
                literal_column(WORK_STATES_SQL),
                or_(_m.lease_until.is_(None), _m.lease_until < bindparam("b_now", type_=_m.lease_until.type)),
            )
            .order_by(_m.id)
            .limit(bindparam("b_limit", literal_execute=False))
            .with_for_update(skip_locked=True)
        )
        if by_channel:
            free = free.where(_m.channel.in_(bindparam("b_channels", expanding=True)))
    return (
        update(MESSAGES)
        .where(_m.id.in_(free))
        .values(
            lease_owner=bindparam("b_worker"),
            lease_until=bindparam("b_until", type_=_m.lease_until.type),
            attempts=_m.attempts + 1,
        )
        .returning(*MESSAGES.c)
    )


class _Prepared:
    """A statement compiled once for a dialect and a set of parameter names."""

    def __init__(self, statement: Executable, dialect: Any, keys: list[str]) -> None:
        self.compiled = statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[call-arg]
        self.sql = self.compiled.string
        self.positions = self.compiled.positiontup
        self.processors = self.compiled._bind_processors  # noqa: SLF001 (types to driver values)

    def bind(self, values: Mapping[str, Any]) -> Any:
        params = self.compiled.construct_params(dict(values), _check=False)
        for name, process in self.processors.items():
            if name in params:
                params[name] = process(params[name])
        return tuple(params[name] for name in self.positions) if self.positions is not None else params


_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared] = {}


def _prepared(conn: Connection, statement: Executable, keys: list[str]) -> _Prepared:
    key = (id(statement), conn.dialect.name, tuple(keys))
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _Prepared(statement, conn.dialect, keys)
    return found


@cache
def _column_defaults(statement: Executable) -> dict[str, Any]:
    """The Python-side defaults of an INSERT's table (the driver's call does not apply them)."""
    table = getattr(statement, "table", None)
    if not isinstance(statement, Insert) or table is None:
        return {}
    found: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if default is None or not (default.is_scalar or default.is_callable):
            continue
        if default.is_scalar:
            found[column.key] = default.arg
        else:
            found[column.key] = default.arg  # a callable, called per row below
    return found


def _with_defaults(statement: Executable, values: Mapping[str, Any]) -> dict[str, Any]:
    full = dict(values)
    for key, default in _column_defaults(statement).items():
        if key not in full:
            full[key] = default(None) if callable(default) else default
    return full


class Rows:
    """What a statement run by :func:`run` gave: its rows (read at once) and how many rows it changed."""

    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        """The first column of the only row; an error when there is none."""
        if len(self.rows) != 1:
            msg = f"expected one row, got {len(self.rows)}"
            raise NoResultFound(msg) if not self.rows else MultipleResultsFound(msg)
        return self.rows[0][0]


def _execute(conn: Connection, prepared: _Prepared, params: Any, *, many: bool = False) -> Rows:
    """The statement on the connection's driver cursor, inside the connection's transaction.

    SQLAlchemy's per-execution work (cache key, execution context, events) costs several
    times what the database does for these one-row statements, so they go to the cursor
    straight; a driver error is raised as SQLAlchemy's (``IntegrityError`` and the rest), and
    a dropped connection is invalidated as SQLAlchemy would. Listeners of ``before_cursor_execute``
    see each statement (``storage.echo`` does not log them).
    """
    dbapi_conn = conn.connection.dbapi_connection
    cursor = dbapi_conn.cursor()  # type: ignore[union-attr]
    statement = prepared.sql
    if conn._has_events or conn.engine._has_events:  # noqa: SLF001 - listeners still see every statement
        for listener in conn.dispatch.before_cursor_execute:
            statement, params = listener(conn, cursor, statement, params, None, many)
    try:
        if many:
            cursor.executemany(statement, params)
        else:
            cursor.execute(statement, params)
        rows = cursor.fetchall() if cursor.description else []
        return Rows(rows, cursor.rowcount)
    except conn.dialect.loaded_dbapi.Error as exc:
        dialect = conn.dialect
        if dialect.is_disconnect(exc, dbapi_conn, cursor):  # type: ignore[arg-type]
            conn.invalidate(exc)
        raise DBAPIError.instance(statement, params, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
    finally:
        cursor.close()


def run(conn: Connection, statement: Executable, values: Mapping[str, Any]) -> Rows:
    """Execute a statement of this module on the driver's cursor, compiled once.

    The SQL, the types (bind processors) and the columns' Python-side defaults stay
    SQLAlchemy's; rows come back as the driver gives them (select no column a type converts).
    """
    values = _with_defaults(statement, values)
    prepared = _prepared(conn, statement, sorted(values))
    return _execute(conn, prepared, prepared.bind(values))


def run_many(conn: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> int:
    """:func:`run` for many rows of the same keys (an ``executemany``); return how many rows
    they changed in all."""
    if not rows:
        return 0
    rows = [_with_defaults(statement, row) for row in rows]
    prepared = _prepared(conn, statement, sorted(rows[0]))
    return _execute(conn, prepared, [prepared.bind(row) for row in rows], many=True).rowcount
