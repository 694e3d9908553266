"""introduce us: who asked for an introduction, each side's yes, when both were introduced

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("introductions") as batch:
        batch.add_column(sa.Column("requested_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("a_accepted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("b_accepted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("introduced_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("open_pair", sa.String(length=40), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_introductions_requested_by_id_members"),
            "members",
            ["requested_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(batch.f("uq_introductions_open_pair"), ["open_pair"])


def downgrade() -> None:
    with op.batch_alter_table("introductions") as batch:
        batch.drop_constraint(batch.f("uq_introductions_open_pair"), type_="unique")
        batch.drop_constraint(batch.f("fk_introductions_requested_by_id_members"), type_="foreignkey")
        for column in (
            "open_pair",
            "introduced_at",
            "answered_at",
            "b_accepted_at",
            "a_accepted_at",
            "requested_by_id",
        ):
            batch.drop_column(column)
