"""feed age: the data's own time and the confirmation state of each live feed

Revision ID: 0006_feed_age
Revises: 0005_privacy
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_feed_age"
down_revision = "0005_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_cache") as batch:
        batch.add_column(sa.Column("data_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("belief", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_cache") as batch:
        batch.drop_column("belief")
        batch.drop_column("data_at")
