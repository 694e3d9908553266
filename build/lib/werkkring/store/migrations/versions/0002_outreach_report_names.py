"""members.named_in_reports: a member's consent to be named in published session reports

Revision ID: 0002_outreach
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_outreach"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing members have not agreed to anything: the server default keeps them unnamed.
    op.add_column(
        "members",
        sa.Column("named_in_reports", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("named_in_reports")
