"""closing a round's input: the host closes the input of the current round (world café: each round)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_settings") as batch:
        batch.add_column(
            sa.Column("input_closed_round", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("room_settings") as batch:
        batch.drop_column("input_closed_round")
