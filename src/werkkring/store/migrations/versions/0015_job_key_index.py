"""an index on jobs.key: the host's board reads the state of its last background draft by the job's key

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_jobs_key", "jobs", ["key"])


def downgrade() -> None:
    op.drop_index("ix_jobs_key", table_name="jobs")
