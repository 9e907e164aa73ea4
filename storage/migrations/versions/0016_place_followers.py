"""followers of places (streets, districts, zones, municipalities, service points) and the outage events they hear of

``followers.kind`` and ``target`` widen (``service_point``; a street's ``code:key`` id); an alert event and a
followed alert say their topic (``alert``: a GTFS-Realtime alert, ``outage``: a water or waste outage) and, for an
outage, the service whose feed announced it; a followed outage keeps the followed places it covers.
Every existing row keeps its values: lines and stops, topic ``alert``.

Revision ID: 0016_place_followers
Revises: 0015_notice_checks
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_place_followers"
down_revision = "0015_notice_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followers") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=8), type_=sa.String(length=16),
                           existing_nullable=False)
        batch.alter_column("target", existing_type=sa.String(length=64), type_=sa.String(length=128),
                           existing_nullable=False)
    with op.batch_alter_table("followed_alerts") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=8), nullable=False, server_default="alert"))
        batch.add_column(sa.Column("service", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("places", sa.JSON(), nullable=True))
    with op.batch_alter_table("alert_events") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=8), nullable=False, server_default="alert"))
        batch.add_column(sa.Column("service", sa.String(length=32), nullable=True))
    op.create_index("ix_followed_alerts_topic", "followed_alerts", ["topic", "service"])


def downgrade() -> None:
    # Place followers and outage events have no place in the older schema: they are removed, lines and stops stay.
    op.execute("DELETE FROM follow_notices WHERE event_id IN (SELECT id FROM alert_events WHERE topic <> 'alert')")
    op.execute("DELETE FROM alert_events WHERE topic <> 'alert'")
    op.execute("DELETE FROM followed_alerts WHERE topic <> 'alert'")
    op.execute("DELETE FROM followers WHERE kind NOT IN ('line', 'stop')")
    op.drop_index("ix_followed_alerts_topic", table_name="followed_alerts")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of alert_events would break its notices' key.
    for table, columns in (("alert_events", ("service", "topic")), ("followed_alerts", ("places", "service", "topic"))):
        for column in columns:
            op.drop_column(table, column)
    with op.batch_alter_table("followers") as batch:
        batch.alter_column("target", existing_type=sa.String(length=128), type_=sa.String(length=64),
                           existing_nullable=False)
        batch.alter_column("kind", existing_type=sa.String(length=16), type_=sa.String(length=8),
                           existing_nullable=False)
