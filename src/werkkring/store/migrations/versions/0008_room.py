"""the live room: join codes, guests, check-in, table hosts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from werkkring.joincodes import new_code

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("work_sessions", sa.Column("join_code", sa.String(length=8), nullable=True))
    op.add_column(
        "work_sessions",
        sa.Column("guests_allowed", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column("work_sessions", sa.Column("groups_locked_at", sa.DateTime(), nullable=True))
    # Sessions stored before codes existed get one now, each its own.
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM work_sessions ORDER BY id"))]
    used: set[str] = set()
    for session_id in ids:
        code = new_code()
        while code in used:
            code = new_code()
        used.add(code)
        bind.execute(
            sa.text("UPDATE work_sessions SET join_code = :code WHERE id = :id"),
            {"code": code, "id": session_id},
        )
    # A unique index, not a constraint: SQLite adds it without rebuilding the table.
    op.create_index(op.f("ix_work_sessions_join_code"), "work_sessions", ["join_code"], unique=True)

    op.add_column("members", sa.Column("guest_of", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_members_guest_of"), "members", ["guest_of"], unique=False)

    op.add_column("registrations", sa.Column("checked_in_at", sa.DateTime(), nullable=True))
    op.add_column(
        "registrations", sa.Column("table_host", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("registrations", sa.Column("host_group", sa.Integer(), nullable=True))

    op.create_table(
        "guests",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_consent", sa.Boolean(), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("join_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_guests_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["work_sessions.id"],
            name=op.f("fk_guests_session_id_work_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_guests")),
    )
    op.create_index(op.f("ix_guests_session_id"), "guests", ["session_id"], unique=False)
    op.create_index(op.f("ix_guests_join_token"), "guests", ["join_token"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_guests_join_token"), table_name="guests")
    op.drop_index(op.f("ix_guests_session_id"), table_name="guests")
    op.drop_table("guests")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("host_group")
        batch.drop_column("table_host")
        batch.drop_column("checked_in_at")
    op.drop_index(op.f("ix_members_guest_of"), table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("guest_of")
    op.drop_index(op.f("ix_work_sessions_join_code"), table_name="work_sessions")
    with op.batch_alter_table("work_sessions") as batch:
        batch.drop_column("groups_locked_at")
        batch.drop_column("guests_allowed")
        batch.drop_column("join_code")
