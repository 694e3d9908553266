"""everyday flows: a session's edits (sequence, change time, cancel reason, public outcome), edited input,
notification preferences and the notifications waiting for mail or the weekly digest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_sessions") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("public_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("edited_at", sa.DateTime(), nullable=True))
    op.create_table(
        "notification_settings",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.CheckConstraint("mode IN ('now', 'digest', 'off')", name=op.f("ck_notification_settings_mode")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_notification_settings_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "kind", name=op.f("pk_notification_settings")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("mode IN ('now', 'digest')", name=op.f("ck_notifications_mode")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_notifications_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_mode_sent_member", "notifications", ["mode", "sent_at", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_mode_sent_member", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_settings")
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("edited_at")
    with op.batch_alter_table("work_sessions") as batch:
        batch.drop_column("public_at")
        batch.drop_column("cancel_reason")
        batch.drop_column("updated_at")
        batch.drop_column("sequence")
