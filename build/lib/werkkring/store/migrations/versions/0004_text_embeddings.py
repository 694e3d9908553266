"""text embeddings cache; members.updated_at for the connections change feed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "text_embeddings",
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("model", "text_hash", name=op.f("pk_text_embeddings")),
    )
    # A plain ADD COLUMN (no table rebuild on SQLite, where a rebuild of members would touch every foreign
    # key pointing at it); existing members count as changed when they joined.
    op.add_column("members", sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE members SET updated_at = created_at")
    op.create_index(op.f("ix_members_updated_at"), "members", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_members_updated_at"), table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("updated_at")
    op.drop_table("text_embeddings")
