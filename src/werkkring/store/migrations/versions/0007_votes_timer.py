"""votes, dots per session and round timers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room_settings",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("voting", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("dots >= 1 AND dots <= 10", name=op.f("ck_room_settings_dots")),
        sa.CheckConstraint("voting IN ('closed', 'open', 'ended')", name=op.f("ck_room_settings_voting")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["work_sessions.id"],
            name=op.f("fk_room_settings_session_id_work_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_room_settings")),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=24), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_id", sa.Integer(), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(member_id IS NULL) <> (guest_id IS NULL)", name=op.f("ck_votes_one_voter")),
        sa.CheckConstraint("slot >= 1", name=op.f("ck_votes_slot")),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_votes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_votes_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["work_sessions.id"],
            name=op.f("fk_votes_session_id_work_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("session_id", "voter", "contribution_id", name="uq_votes_session_voter_card"),
        sa.UniqueConstraint("session_id", "voter", "slot", name="uq_votes_session_voter_slot"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_guest_id"), ["guest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            "ix_votes_session_contribution", ["session_id", "contribution_id"], unique=False
        )
    op.create_table(
        "round_timers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("remaining >= 0", name=op.f("ck_round_timers_remaining")),
        sa.CheckConstraint("state IN ('idle', 'running', 'paused')", name=op.f("ck_round_timers_state")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["work_sessions.id"],
            name=op.f("fk_round_timers_session_id_work_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "round_no", name=op.f("pk_round_timers")),
    )


def downgrade() -> None:
    op.drop_table("round_timers")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index("ix_votes_session_contribution")
        batch_op.drop_index(batch_op.f("ix_votes_member_id"))
        batch_op.drop_index(batch_op.f("ix_votes_guest_id"))
        batch_op.drop_index(batch_op.f("ix_votes_contribution_id"))
    op.drop_table("votes")
    op.drop_table("room_settings")
