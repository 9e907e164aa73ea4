"""The limit sportello's queue is measured against: its write pattern in raw SQL, no router, no ORM.

Per message, the same transactions as sportello: the intake (case looked up or opened, the
message, its first transition), a claim of up to four messages in one ``UPDATE ... RETURNING``
(``SKIP LOCKED`` on PostgreSQL), the agent check, the routed message with its transition,
problem record and outbox row, and the posted reply with its last transition.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

WORK = "state IN ('approved', 'edited', 'received', 'routed')"


class RawPattern:
    """The pattern on one DBAPI connection (sqlite3 in autocommit mode, or psycopg)."""

    def __init__(self, conn: Any, dialect: str, worker: str = "raw") -> None:
        self.conn = conn
        self.pg = dialect == "postgresql"
        self.worker = worker

    def _q(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if self.pg else sql

    def _ts(self, value: datetime) -> Any:
        return value if self.pg else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def _begin(self) -> Any:
        if not self.pg:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn.cursor()

    def _run(self, cur: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cur.execute(self._q(sql), params)
        return cur

    def enqueue(self, i: int, text: str, thread: str) -> int:
        now = self._ts(datetime.now(timezone.utc))
        cur = self._begin()
        row = self._run(
            cur, "SELECT id FROM cases WHERE channel = ? AND thread_key = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
            ("web", thread),
        ).fetchone()
        if row is None:
            row = self._run(
                cur, "INSERT INTO cases (channel, thread_key, author, status, opened_at) VALUES (?, ?, ?, 'open', ?) RETURNING id",
                ("web", thread, f"web:{thread}", now),
            ).fetchone()
        message_id = self._run(
            cur,
            "INSERT INTO messages (channel, external_id, case_id, author, text, thread_id, received_at, extras, state,"
            " attempts, updated_at) VALUES ('web', ?, ?, ?, ?, ?, ?, '{}', 'received', 0, ?)"
            " ON CONFLICT (channel, external_id) DO NOTHING RETURNING id",
            (f"raw{i}", row[0], f"web:{thread}", text, thread, now, now),
        ).fetchone()[0]
        self._run(
            cur, "INSERT INTO transitions (message_id, from_state, to_state, actor, at) VALUES (?, NULL, 'received', 'channel:web', ?)",
            (message_id, now),
        )
        if self.pg:
            cur.execute("NOTIFY sportello_work")
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")
        return int(message_id)

    def _commit(self) -> None:
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")

    def work_once(self, batch: int = 4) -> int:
        """Claim up to ``batch`` messages and answer each; how many were answered."""
        now = datetime.now(timezone.utc)
        until = self._ts(now + timedelta(seconds=60))
        skip = " FOR UPDATE SKIP LOCKED" if self.pg else ""
        cur = self._begin()
        rows = self._run(
            cur,
            f"UPDATE messages SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN"
            f" (SELECT id FROM messages WHERE {WORK} AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?{skip})"
            " RETURNING id, case_id, text, received_at",
            (self.worker, until, self._ts(now), batch),
        ).fetchall()
        self._commit()
        for message_id, case_id, text, received_at in rows:
            self._answer(message_id, case_id, text, received_at)
        return len(rows)

    def _answer(self, message_id: int, case_id: int, text: str, received_at: Any) -> None:
        cur = self.conn.cursor()
        self._run(
            cur, "SELECT EXISTS (SELECT 1 FROM cases WHERE id = ? AND assigned_to IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM replies WHERE case_id = ? AND author LIKE 'agent:%')",
            (case_id, case_id),
        ).fetchone()
        if self.pg:
            self.conn.commit()
        now = self._ts(datetime.now(timezone.utc))
        fence = "id = ? AND state = ? AND lease_owner = ? AND lease_until >= ?"
        decision = json.dumps({"intent": "status", "routes": ["8"], "confidence": 0.9, "reasons": []})
        cur = self._begin()
        self._run(
            cur, f"UPDATE messages SET lang = 'it', intent = 'status', action = 'auto', confidence = 0.9, decision = ?,"
            f" draft = ?, state = 'routed', updated_at = ? WHERE {fence}",
            (decision, f"re: {text}", now, message_id, "received", self.worker, now),
        )
        self._run(cur, "INSERT INTO transitions (message_id, from_state, to_state, actor, at) VALUES (?, 'received', 'routed', 'bot', ?)", (message_id, now))
        self._run(
            cur, "INSERT INTO problems (message_id, channel, intent, route_id, at) VALUES (?, 'web', 'status', '8', ?)",
            (message_id, received_at),
        )
        reply_id = self._run(
            cur, "INSERT INTO replies (message_id, case_id, channel, text, lang, author, status, external_ids, attempts,"
            " created_at) VALUES (?, ?, 'web', ?, 'it', 'bot', 'pending', '[]', 1, ?) RETURNING id",
            (message_id, case_id, f"re: {text}", now),
        ).fetchone()[0]
        self._commit()
        cur = self._begin()
        self._run(
            cur, f"UPDATE messages SET state = 'auto_sent', updated_at = ?, lease_owner = NULL, lease_until = NULL,"
            f" attempts = 0 WHERE {fence}",
            (now, message_id, "routed", self.worker, now),
        )
        self._run(cur, "UPDATE replies SET status = 'posted', external_ids = ?, posted_at = ? WHERE id = ?", (json.dumps([f"web-reply-{reply_id}"]), now, reply_id))
        self._run(cur, "INSERT INTO transitions (message_id, from_state, to_state, actor, at) VALUES (?, 'routed', 'auto_sent', 'bot', ?)", (message_id, now))
        self._commit()
