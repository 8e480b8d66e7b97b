"""wage protection: monthly attendance summary kept at ingest

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 05:20:00

The summary is filled from the day rows already stored; from here on the ingest keeps it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wg_attendance_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_minutes", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.CheckConstraint("days >= 0 AND days <= 31", name=op.f("ck_wg_attendance_months_days")),
        sa.CheckConstraint(
            "minutes >= 0 AND minutes <= 44640", name=op.f("ck_wg_attendance_months_minutes")
        ),
        sa.CheckConstraint(
            "overtime_minutes >= 0 AND overtime_minutes <= minutes",
            name=op.f("ck_wg_attendance_months_overtime_minutes"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["wg_projects.id"],
            name=op.f("fk_wg_attendance_months_project_id_wg_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["wg_workers.id"],
            name=op.f("fk_wg_attendance_months_worker_id_wg_workers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_attendance_months")),
        sa.UniqueConstraint("worker_id", "month", name=op.f("uq_wg_attendance_months_worker_id")),
    )
    with op.batch_alter_table("wg_attendance_months", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wg_attendance_months_project_month", ["project_id", "month"], unique=False
        )

    month = (
        "to_char(day, 'YYYY-MM')"
        if op.get_bind().dialect.name == "postgresql"
        else "substr(day, 1, 7)"
    )
    op.execute(
        "INSERT INTO wg_attendance_months (worker_id, project_id, month, days, minutes, "
        "overtime_minutes, first_day) "
        f"SELECT worker_id, project_id, {month}, sum(CASE WHEN minutes > 0 THEN 1 ELSE 0 END), "
        "sum(minutes), sum(overtime_minutes), min(day) FROM wg_attendance_days "
        f"GROUP BY worker_id, project_id, {month}"
    )


def downgrade() -> None:
    with op.batch_alter_table("wg_attendance_months", schema=None) as batch_op:
        batch_op.drop_index("ix_wg_attendance_months_project_month")

    op.drop_table("wg_attendance_months")
