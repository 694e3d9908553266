"""world café rounds: a round per breakout group, the seats of finished rounds

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("breakout_groups", sa.Column("round", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "round_seats",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["breakout_groups.id"],
            name=op.f("fk_round_seats_group_id_breakout_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_round_seats_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["work_sessions.id"],
            name=op.f("fk_round_seats_session_id_work_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "round", "member_id", name=op.f("pk_round_seats")),
    )
    op.create_index(op.f("ix_round_seats_group_id"), "round_seats", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_round_seats_group_id"), table_name="round_seats")
    op.drop_table("round_seats")
    with op.batch_alter_table("breakout_groups") as batch:
        batch.drop_column("round")
