"""scoped response rollup: response counts and histograms per service and per subject

Two new tables, ``response_scoped_rollup`` and ``response_scoped_histogram``, hold what
``response_rollup`` and ``response_histogram`` hold, per ``scope``: ``service:<name>`` (the facts of
one service's messages) and ``subject:<kind>:<id>`` (the facts of the messages any of whose problem
records name that subject). A response report narrowed to a service or a subject reads them for its
whole days instead of every raw fact. They are derived data: created empty and filled by the next
rollup refresh (the rollup's version changes with this revision, so it is rebuilt whole once). No
existing row is touched.

Downgrade drops both tables and keeps every other row.

Revision ID: 0018_scoped_response_rollup
Revises: 0017_response_subjects
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_scoped_response_rollup"
down_revision = "0017_response_subjects"
branch_labels = None
depends_on = None


def _keys() -> list[sa.Column]:
    return [
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "response_scoped_rollup", *_keys(),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0")
          for name in ("messages", "cases", "resolved", "bot_alone", "handed", "target_met", "replies_met")],
        sa.PrimaryKeyConstraint("dimension", "grain", "day", "scope", "key"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_response_scoped_rollup_scope", "response_scoped_rollup", ["scope", "dimension", "grain", "day"])
    op.create_table(
        "response_scoped_histogram", *_keys(),
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total_s", sa.Float(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("dimension", "grain", "day", "scope", "key", "measure", "low"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_response_scoped_histogram_scope", "response_scoped_histogram",
                    ["scope", "dimension", "grain", "day"])


def downgrade() -> None:
    op.drop_index("ix_response_scoped_histogram_scope", table_name="response_scoped_histogram")
    op.drop_table("response_scoped_histogram")
    op.drop_index("ix_response_scoped_rollup_scope", table_name="response_scoped_rollup")
    op.drop_table("response_scoped_rollup")
