"""subjects: problem records name a typed subject; messages, cases and records carry their service

Every problem record gets ``subject_kind``, ``subject_id``, ``subject_label`` (``bot.subjects``)
and ``service``; messages and cases get ``service`` (``transit`` for everything already stored).
A record names one subject: an old record that named a line *and* a stop keeps the line, and a
new record for the same message (same time, channel, intent, category, alert) takes the stop,
so every line and stop ever recorded is a subject and reports still count distinct messages.

Downgrade drops the new columns and keeps every record (the stop records made here stay as
the stop-only records the old schema also knew); subjects other than lines and stops are lost.
``messages`` is altered in place (ADD/DROP COLUMN), never rebuilt, so its full-text triggers
on SQLite stay (see 0009).

Numbered before 0013_ops_tallies (reserved early) but applied after it: the chain stays one line.

Revision ID: 0012_subjects
Revises: 0013_ops_tallies
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_subjects"
down_revision = "0013_ops_tallies"
branch_labels = None
depends_on = None

_SERVICE_TABLES = ("messages", "cases", "problems")
_STOP_ID = "COALESCE(stop_id, stop_name)"
_HAS_STOP = "(stop_id IS NOT NULL OR stop_name IS NOT NULL)"


def _service() -> sa.Column:
    return sa.Column("service", sa.String(length=32), nullable=False, server_default="transit")


def upgrade() -> None:
    for table in _SERVICE_TABLES:
        op.add_column(table, _service())
    op.add_column("problems", sa.Column("subject_kind", sa.String(length=16), nullable=True))
    op.add_column("problems", sa.Column("subject_id", sa.String(length=128), nullable=True))
    op.add_column("problems", sa.Column("subject_label", sa.String(length=255), nullable=True))
    # A line at a stop: the stop moves to a record of its own (inserted first: it has no route_id).
    op.execute(
        "INSERT INTO problems (message_id, channel, intent, category, route_id, stop_id, stop_name, alert_id, at,"
        " service, subject_kind, subject_id, subject_label)"
        f" SELECT message_id, channel, intent, category, NULL, stop_id, stop_name, alert_id, at,"
        f" 'transit', 'stop', {_STOP_ID}, stop_name FROM problems"
        f" WHERE route_id IS NOT NULL AND {_HAS_STOP} ORDER BY id"
    )
    op.execute(
        "UPDATE problems SET subject_kind = 'line', subject_id = route_id, stop_id = NULL, stop_name = NULL"
        " WHERE route_id IS NOT NULL"
    )
    op.execute(
        f"UPDATE problems SET subject_kind = 'stop', subject_id = {_STOP_ID}, subject_label = stop_name"
        f" WHERE subject_kind IS NULL AND {_HAS_STOP}"
    )
    op.create_index("ix_problems_subject_at", "problems", ["subject_kind", "subject_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_problems_subject_at", table_name="problems")
    for column in ("subject_label", "subject_id", "subject_kind"):
        op.drop_column("problems", column)
    for table in reversed(_SERVICE_TABLES):
        op.drop_column(table, "service")
