"""Keeps ``response_facts`` current: one set-based rebuild of every case touched since last time.

Figures of a case change whenever one of its messages moves, a reply is posted or the case is
closed; each of these updates ``messages.updated_at`` or ``cases.closed_at``. The refresh
deletes and re-inserts the facts of every case touched since the watermark (less a margin for
commits that land late), in one transaction, so reports read whole cases. A fact carries its
message's service and first subject (the first its problem records name, an address left for the
street named after it), as it carries its first line.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, DateTime, Engine, bindparam, func, select, text

from bot.domain import as_utc
from bot.insight.sqltime import false_sql, seconds_between_sql, true_sql
from storage.models import Cursor, Message

WATERMARK = ("insight", "response_facts")
MARGIN = timedelta(minutes=10)
DONE_STATES = ("closed", "sent", "auto_sent")
HUMAN_STATES = ("awaiting_review", "escalated")

_CUTOFF = bindparam("cutoff", type_=DateTime(timezone=True))
_CHANGED = """
    SELECT mc.case_id FROM messages mc WHERE mc.updated_at >= :cutoff AND mc.case_id IS NOT NULL
    UNION SELECT cc.id FROM cases cc WHERE cc.closed_at >= :cutoff
"""


def _quoted(states: tuple[str, ...]) -> str:
    return ", ".join(f"'{s}'" for s in states)


def _insert_sql(dialect: str, scoped: bool) -> str:
    secs = lambda a, b: seconds_between_sql(a, b, dialect)
    yes, no = true_sql(dialect), false_sql(dialect)
    scope = f"IN ({_CHANGED})" if scoped else "IS NOT NULL"
    done, human = _quoted(DONE_STATES), _quoted(HUMAN_STATES)
    return f"""
    INSERT INTO response_facts (message_id, case_id, channel, intent, route_id, service, subject_kind,
        subject_id, received_at, opens_case, next_reply_s, first_reply_s, first_human_s, resolution_s,
        resolved, handed)
    SELECT m.id, m.case_id, m.channel, m.intent,
        (SELECT p.route_id FROM problems p
          WHERE p.message_id = m.id AND p.route_id IS NOT NULL ORDER BY p.id LIMIT 1),
        m.service,
        (SELECT p.subject_kind FROM problems p
          WHERE p.message_id = m.id AND p.subject_kind IS NOT NULL AND p.subject_kind <> 'address'
          ORDER BY p.id LIMIT 1),
        (SELECT p.subject_id FROM problems p
          WHERE p.message_id = m.id AND p.subject_kind IS NOT NULL AND p.subject_kind <> 'address'
          ORDER BY p.id LIMIT 1),
        m.received_at,
        CASE WHEN m.id = cs.first_id THEN {yes} ELSE {no} END,
        {secs('''(SELECT MIN(r.posted_at) FROM replies r JOIN messages rm ON rm.id = r.message_id
                  WHERE rm.case_id = m.case_id AND r.status = 'posted' AND r.kind IN ('answer', 'safety')
                    AND r.posted_at >= m.received_at)''', 'm.received_at')},
        CASE WHEN m.id = cs.first_id THEN {secs('rs.first_reply_at', 'cs.started_at')} END,
        CASE WHEN m.id = cs.first_id THEN {secs('rs.first_human_at', 'cs.started_at')} END,
        CASE WHEN m.id = cs.first_id AND (c.closed_at IS NOT NULL OR cs.waiting = 0)
             THEN {secs('COALESCE(c.closed_at, ts.done_at)', 'cs.started_at')} END,
        CASE WHEN m.id = cs.first_id AND (c.closed_at IS NOT NULL OR cs.waiting = 0)
             THEN {yes} ELSE {no} END,
        CASE WHEN m.id = cs.first_id AND (COALESCE(ts.handed, 0) = 1 OR rs.first_human_at IS NOT NULL)
             THEN {yes} ELSE {no} END
    FROM messages m
    JOIN (SELECT case_id, MIN(id) AS first_id, MIN(received_at) AS started_at,
                 SUM(CASE WHEN state IN ({done}) THEN 0 ELSE 1 END) AS waiting
            FROM messages WHERE case_id {scope} GROUP BY case_id) cs ON cs.case_id = m.case_id
    JOIN cases c ON c.id = m.case_id
    LEFT JOIN (SELECT rm.case_id, MIN(r.posted_at) AS first_reply_at,
                      MIN(CASE WHEN r.author LIKE 'agent:%' THEN r.posted_at END) AS first_human_at
                 FROM replies r JOIN messages rm ON rm.id = r.message_id
                WHERE r.status = 'posted' AND r.kind IN ('answer', 'safety') AND rm.case_id {scope}
                GROUP BY rm.case_id) rs ON rs.case_id = m.case_id
    LEFT JOIN (SELECT tm.case_id, MAX(CASE WHEN t.to_state IN ({done}) THEN t.at END) AS done_at,
                      MAX(CASE WHEN t.to_state IN ({human}) OR t.actor LIKE 'agent:%'
                               THEN 1 ELSE 0 END) AS handed
                 FROM transitions t JOIN messages tm ON tm.id = t.message_id
                WHERE tm.case_id {scope}
                GROUP BY tm.case_id) ts ON ts.case_id = m.case_id
    """


def _watermark(conn: Connection) -> datetime | None:
    row = conn.execute(
        select(Cursor.value).where(Cursor.channel == WATERMARK[0], Cursor.name == WATERMARK[1])
    ).first()
    return datetime.fromisoformat(row[0]) if row else None


def _save_watermark(conn: Connection, value: datetime, now: datetime) -> None:
    table = Cursor.__table__
    key = (table.c.channel == WATERMARK[0]) & (table.c.name == WATERMARK[1])
    updated = conn.execute(table.update().where(key).values(value=value.isoformat(), updated_at=now))
    if updated.rowcount == 0:
        conn.execute(
            table.insert().values(
                channel=WATERMARK[0], name=WATERMARK[1], value=value.isoformat(), updated_at=now
            )
        )


def refresh_facts(engine: Engine, *, now: datetime, full: bool = False) -> int:
    """Rebuild the facts of every case touched since the last refresh (all with ``full``).

    Returns the number of message rows written.
    """
    dialect = engine.dialect.name
    with engine.begin() as conn:
        mark = None if full else _watermark(conn)
        newest = conn.execute(select(func.max(Message.__table__.c.updated_at))).scalar()
        if newest is None:
            return 0
        if mark is None:
            conn.execute(text("DELETE FROM response_facts"))
            written = conn.execute(text(_insert_sql(dialect, scoped=False) + " WHERE m.case_id IS NOT NULL"))
        else:
            cutoff = {"cutoff": as_utc(mark) - MARGIN}
            delete = text(f"DELETE FROM response_facts WHERE case_id IN ({_CHANGED})")
            conn.execute(delete.bindparams(_CUTOFF), cutoff)
            written = conn.execute(text(_insert_sql(dialect, scoped=True)).bindparams(_CUTOFF), cutoff)
        _save_watermark(conn, as_utc(newest), as_utc(now))
    return int(written.rowcount or 0)
