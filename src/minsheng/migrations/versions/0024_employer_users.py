"""employer users shared by wage protection and employment services; the employer's recruiter

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 05:45:00

``wg_firm_users`` (the employer a contractor's wage officer acts for) becomes ``employer_users``
in the security layer, so employment services' recruiters (the new role ``employer``) are bound
the same way; its rows are carried over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = (
    "role IN ('citizen', 'cashier', 'contractor', 'caseworker', 'supervisor', 'analyst', "
    "'auditor', 'admin')"
)
NEW_ROLES = (
    "role IN ('citizen', 'cashier', 'contractor', 'employer', 'caseworker', 'supervisor', "
    "'analyst', 'auditor', 'admin')"
)


def _roles(old: str, new: str) -> None:
    """The users' role check, with or without the employer's recruiter (as in 0017: on SQLite
    the table's schema text is edited in place, after checking every row satisfies it)."""
    bind = op.get_bind()
    bad = bind.exec_driver_sql(f"SELECT count(*) FROM users WHERE NOT ({new})").scalar()
    if bad:
        raise RuntimeError(f"{bad} users have a role the check {new!r} refuses")
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    changed = bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'users' AND instr(sql, :old) > 0"
        ),
        {"old": old, "new": new},
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1:
        raise RuntimeError("the users table's role check was not found")


def _binding_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f(f"fk_{name}_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("user_id", name=op.f(f"uq_{name}_user_id")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_employer_id"), ["employer_id"], unique=False)


def _move(old: str, new: str) -> None:
    _binding_table(new)
    op.execute(
        f"INSERT INTO {new} (id, user_id, employer_id) SELECT id, user_id, employer_id FROM {old}"
    )
    with op.batch_alter_table(old, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{old}_employer_id"))
    op.drop_table(old)


def upgrade() -> None:
    _roles(OLD_ROLES, NEW_ROLES)
    _move("wg_firm_users", "employer_users")
    if op.get_bind().dialect.name == "postgresql":  # the copied ids: the sequence moves past them
        op.execute(
            "SELECT setval(pg_get_serial_sequence('employer_users', 'id'), "
            "coalesce((SELECT max(id) FROM employer_users), 0) + 1, false)"
        )


def downgrade() -> None:
    _roles(NEW_ROLES, OLD_ROLES)  # first: refused while a recruiter exists, nothing changed yet
    _move("employer_users", "wg_firm_users")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('wg_firm_users', 'id'), "
            "coalesce((SELECT max(id) FROM wg_firm_users), 0) + 1, false)"
        )
