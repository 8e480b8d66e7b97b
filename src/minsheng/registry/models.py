"""Registry tables (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from minsheng.core.ids import mask_id, mask_phone
from minsheng.db import Base
from minsheng.foundation.crypto import Encrypted, lookup_hash


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Household(Timestamps, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))  # 户号, unique within its county
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # current county code
    area: Mapped[str] = mapped_column(String(8))  # urban | rural
    address: Mapped[str | None] = mapped_column(String(200))

    members: Mapped[list[Person]] = relationship(back_populates="household")

    __table_args__ = (
        CheckConstraint("area IN ('urban', 'rural')", name="area"),
        # issued per county: a code used in another county neither clashes nor is found, so
        # an answer never tells whether a code exists elsewhere
        UniqueConstraint("division_code", "code"),
    )


class Person(Timestamps, Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 公民身份号码: encrypted at rest; looked up by its keyed hash; shown masked in lists
    id_number: Mapped[str] = mapped_column(Encrypted(), deferred=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    name_zh: Mapped[str] = mapped_column(String(64), index=True)
    name_bo: Mapped[str | None] = mapped_column(String(128))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # residence, current code
    hukou: Mapped[str] = mapped_column(String(8))  # urban | rural
    phone: Mapped[str | None] = mapped_column(Encrypted(), deferred=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    relationship_to_head: Mapped[str | None] = mapped_column(String(16))
    death_date: Mapped[dt.date | None] = mapped_column(Date)  # 死亡日期 (civil registration)

    household: Mapped[Household | None] = relationship(back_populates="members")

    @validates("id_number")
    def _derive_id_columns(self, _key: str, value: str) -> str:
        self.id_hash = lookup_hash(value)
        self.id_masked = mask_id(value)
        return value

    @validates("phone")
    def _derive_phone_columns(self, _key: str, value: str | None) -> str | None:
        self.phone_hash = lookup_hash(value) if value else None
        self.phone_masked = mask_phone(value)
        return value

    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="person", order_by="Enrolment.start_date"
    )
    statuses: Mapped[list[SpecialStatus]] = relationship(
        back_populates="person", order_by="SpecialStatus.start_date"
    )

    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        CheckConstraint("hukou IN ('urban', 'rural')", name="hukou"),
        # one head per household
        Index(
            "uq_persons_household_head",
            "household_id",
            unique=True,
            sqlite_where=relationship_to_head == "head",
            postgresql_where=relationship_to_head == "head",
        ),
    )


class Employer(Timestamps, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)


class Facility(Timestamps, Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 定点医疗机构编码
    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[int] = mapped_column(Integer)  # 1 一级 / 2 二级 / 3 三级
    division_code: Mapped[str] = mapped_column(String(6), index=True)

    __table_args__ = (CheckConstraint("level IN (1, 2, 3)", name="level"),)


class Enrolment(Timestamps, Base):
    """Scheme enrolment over a period (参保): 职工在职 / 职工退休 / 城乡居民."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(24))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # inclusive; None = open
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    pooling_region: Mapped[str] = mapped_column(String(6))  # 统筹区 (prefecture code)

    person: Mapped[Person] = relationship(back_populates="enrolments")
    employer: Mapped[Employer | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "scheme IN ('employee_active', 'employee_retired', 'resident')", name="scheme"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )


class SpecialStatus(Timestamps, Base):
    """A status over a period: 特困, 低保, 低保边缘, 返贫致贫, 边境一线, 残疾, 失业, 孤儿."""

    __tablename__ = "special_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    disability_grade: Mapped[int | None] = mapped_column(Integer)
    certificate_no: Mapped[str | None] = mapped_column(String(32))
    certificate_expiry: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="statuses")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('tekun', 'dibao', 'dibao_edge', 'poverty_return', 'border', 'disability',"
            " 'unemployed', 'orphan', 'relocated', 'land_lost')",
            name="kind",
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint(
            "(kind = 'disability') = (disability_grade IS NOT NULL)", name="disability_grade"
        ),
    )
