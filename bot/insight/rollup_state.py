"""Where each rollup has got to: a small JSON record per rollup in the ``cursors`` table."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    String,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from bot.insight.sqltime import local_date
from storage.models import Cursor

_C = Cursor.__table__.c
SECTION = "insight"


def load_state(conn: Connection, name: str) -> dict[str, Any] | None:
    """The saved state of rollup ``name``, or None before its first build."""
    row = conn.execute(select(_C.value).where(_C.channel == SECTION, _C.name == name)).first()
    return json.loads(row[0]) if row else None


def save_state(conn: Connection, name: str, state: dict[str, Any], now: datetime) -> None:
    """Replace the saved state of rollup ``name``."""
    table = Cursor.__table__
    key = (_C.channel == SECTION) & (_C.name == name)
    value = json.dumps(state, sort_keys=True)
    if conn.execute(table.update().where(key).values(value=value, updated_at=now)).rowcount == 0:
        conn.execute(table.insert().values(channel=SECTION, name=name, value=value, updated_at=now))


def covered_until(engine: Engine, name: str, tz: str, rolled: tuple[str, ...] | None = None) -> date | None:
    """The first local day the rollup does not hold yet (None: unusable for ``tz``, or built with
    other dimensions than ``rolled``)."""
    with engine.connect() as conn:
        state = load_state(conn, name)
    if not state or state.get("tz") != tz or not state.get("covered"):
        return None
    if rolled is not None and state.get("rolled") != list(rolled):
        return None
    return date.fromisoformat(state["covered"])


def day_sql(column: ColumnElement, dialect: str, tz: str, since: datetime, until: datetime) -> ColumnElement:
    """The local date of a timestamp column, as a value a DATE column stores."""
    if dialect == "postgresql":
        return cast(func.timezone(tz, column), Date)
    return local_date(column, dialect, tz, since, until)


def date_constant(day: date, dialect: str) -> ColumnElement:
    """A date as an inline SQL constant a DATE column stores."""
    text = constant(day.isoformat())
    return cast(text, Date) if dialect == "postgresql" else text


def constant(value: str | int) -> ColumnElement:
    """An inline SQL constant (never a bound parameter, so it can sit in a UNION or an INSERT)."""
    return literal_column(f"'{value}'", String) if isinstance(value, str) else literal_column(str(value))
