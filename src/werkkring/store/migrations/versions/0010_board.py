"""the host's synthesis board: a version per session's board (a stale edit is refused), where each theme's
label and summary line come from and whether the host made the theme, each card's place by the host, the
reason it is set aside, the host's "on topic"; the group harvest (key contributions, a group's own line)

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_sessions") as batch:
        batch.add_column(sa.Column("board_version", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("board_themes", sa.Integer(), nullable=True))
    with op.batch_alter_table("themes") as batch:
        batch.add_column(sa.Column("label_source", sa.String(10), server_default="draft", nullable=False))
        batch.add_column(sa.Column("summary_source", sa.String(10), server_default="draft", nullable=False))
        batch.add_column(sa.Column("by_host", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("placed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("on_topic", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("aside", sa.String(10), nullable=True))
        batch.add_column(sa.Column("aside_detail", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("key", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("breakout_groups") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("breakout_groups") as batch:
        batch.drop_column("summary")
    with op.batch_alter_table("contributions") as batch:
        for name in ("key", "aside_detail", "aside", "on_topic", "placed"):
            batch.drop_column(name)
    with op.batch_alter_table("themes") as batch:
        for name in ("by_host", "summary_source", "label_source"):
            batch.drop_column(name)
    with op.batch_alter_table("work_sessions") as batch:
        batch.drop_column("board_themes")
        batch.drop_column("board_version")
