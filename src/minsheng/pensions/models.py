"""Social-insurance tables: enrolments in the four schemes, contributions, the individual
accounts of the two pension schemes and their yearly statements, and the monthly credits to
employees' medical personal accounts (the pensions side's record that a month was credited).

Money is integer fen (``BigInteger``). A contribution's ``key`` is its natural period key
(scheme, person, year and month, or the year for a yearly one), unique, so a retried post or
a rerun of the government-paid run never records a period twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

FEN = BigInteger

#: 职工基本养老保险, 工伤保险, 失业保险 (through an employer), 城乡居民基本养老保险
SCHEMES = ("employee_pension", "work_injury", "unemployment", "resident_pension")
EMPLOYEE_SCHEMES = ("employee_pension", "work_injury", "unemployment")
PENSION_SCHEMES = ("employee_pension", "resident_pension")  # one active at a time
KINDS = ("regular", "back_payment")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PnEnrolment(Base):
    """A person's enrolment in one scheme (参保登记) over a period, in the county where they
    live or work — no hukou restriction."""

    __tablename__ = "pn_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # where enrolled
    base: Mapped[int | None] = mapped_column(FEN)  # monthly contribution base (employee schemes)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # inclusive; None = open
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)  # 暂停缴费 from this day
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("scheme", SCHEMES), name="scheme"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint("(scheme = 'resident_pension') = (employer_id IS NULL)", name="employer"),
        CheckConstraint("base IS NULL OR base >= 0", name="base"),
    )


class PnContribution(Base):
    """One contribution (缴费): a month (employee schemes) or a year (residents, month NULL).
    ``credit_year`` is the year it enters the individual account (a contribution recorded
    after its year was credited enters the next year's crediting)."""

    __tablename__ = "pn_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # natural period key
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("pn_enrolments.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12), default="regular")
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    credit_year: Mapped[int] = mapped_column(Integer, index=True)
    base: Mapped[int | None] = mapped_column(FEN)  # monthly base (employee schemes)
    individual: Mapped[int] = mapped_column(FEN)  # 个人缴费 (a resident's tier)
    employer: Mapped[int] = mapped_column(FEN, default=0)  # 单位缴费
    subsidy: Mapped[int] = mapped_column(FEN, default=0)  # 政府补贴 (residents)
    government_paid: Mapped[bool] = mapped_column(Boolean, default=False)  # 政府代缴
    paid_by: Mapped[str] = mapped_column(String(64))  # the person, the employer, government
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("scheme", SCHEMES), name="scheme"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint("month IS NULL OR (month >= 1 AND month <= 12)", name="month"),
        CheckConstraint("individual >= 0 AND employer >= 0 AND subsidy >= 0", name="amounts"),
    )


class PnAccount(Base):
    """An individual pension account (个人账户) of one scheme; only yearly crediting changes the
    balance (contributions wait in their ``credit_year``)."""

    __tablename__ = "pn_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    balance: Mapped[int] = mapped_column(FEN, default=0)
    last_credited_year: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("person_id", "scheme"),
        CheckConstraint(_in("scheme", PENSION_SCHEMES), name="scheme"),
        CheckConstraint("balance >= 0", name="balance"),
    )


class PnStatement(Base):
    """One account's year (对账单): opening, credited, interest, closing, and the 记账利率 used
    (its parameter path, value and the date it took effect)."""

    __tablename__ = "pn_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("pn_accounts.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    opening: Mapped[int] = mapped_column(FEN)
    credited: Mapped[int] = mapped_column(FEN)
    interest: Mapped[int] = mapped_column(FEN)
    closing: Mapped[int] = mapped_column(FEN)
    rate_path: Mapped[str] = mapped_column(String(80))
    rate_value: Mapped[str] = mapped_column(String(16))
    rate_date: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("account_id", "year"),
        CheckConstraint("closing = opening + credited + interest", name="sum"),
        CheckConstraint("opening >= 0 AND credited >= 0 AND interest >= 0", name="amounts"),
    )


class PnMedicalCredit(Base):
    """That an employee's medical personal account was credited for a month (职工医保个人账户
    划入), and with how much; the balance itself is medical's."""

    __tablename__ = "pn_medical_credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(FEN)
    basis: Mapped[str] = mapped_column(String(12))  # working | retired

    __table_args__ = (
        UniqueConstraint("person_id", "year", "month"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("basis IN ('working', 'retired')", name="basis"),
    )


AWARD_STATES = ("active", "suspended", "terminated")
CERT_STATES = ("open", "certified", "lapsed", "closed")  # lapsed: overdue; closed: a death
CERT_METHODS = ("death", "medical", "assistance", "card", "face", "visit")


class PnAward(Base):
    """A pension award (待遇核定): the monthly amount from ``start_month``, its parts with the
    parameters read (``parts``, JSON), the state (active, suspended — the roll skips it —,
    terminated) and the yearly certification (待遇领取资格认证): the last certified day and
    when the next is due. ``paid_through`` is the last month the roll paid (YYYY-MM); the
    unique payment key per award and month is what makes paying twice impossible."""

    __tablename__ = "pn_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    scheme: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    start_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    monthly: Mapped[int] = mapped_column(FEN)
    parts: Mapped[str] = mapped_column(Text)  # JSON: the parts and the parameters they read
    state: Mapped[str] = mapped_column(String(12), default="active", index=True)
    last_certified_on: Mapped[dt.date] = mapped_column(Date)
    certification_due: Mapped[dt.date] = mapped_column(Date, index=True)
    paid_through: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)  # first day not paid
    overpaid: Mapped[int] = mapped_column(FEN, default=0)  # paid for months after a death
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("scheme", PENSION_SCHEMES), name="scheme"),
        CheckConstraint(_in("state", AWARD_STATES), name="state"),
        CheckConstraint("monthly >= 0 AND overpaid >= 0", name="amounts"),
    )


class PnAwardEvent(Base):
    """One step of an award's life or certification (the case engine's ``Event``)."""

    __tablename__ = "pn_award_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("pn_awards.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


class PnCertification(Base):
    """A certification task in the county queue (认证任务) for an award data matching could not
    certify: open until the citizen's face check or a staff home visit, lapsed when overdue
    (the award is then suspended). ``open_key`` holds the award id while open (unique), so one
    award never has two open tasks."""

    __tablename__ = "pn_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("pn_awards.id"), index=True)
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(400))

    __table_args__ = (
        CheckConstraint(_in("state", CERT_STATES), name="state"),
        CheckConstraint(f"method IS NULL OR {_in('method', CERT_METHODS)}", name="method"),
    )


class PnRollRun(Base):
    """One run of the monthly pension roll (养老金发放批次), on the shared payment engine:
    ``prepared`` with its payments, then the bank file written and the run ``issued``."""

    __tablename__ = "pn_roll_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    region: Mapped[str] = mapped_column(String(6))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    by: Mapped[str] = mapped_column(String(64))
    new_payments: Mapped[int] = mapped_column(Integer)
    new_total: Mapped[int] = mapped_column(FEN)
    state: Mapped[str] = mapped_column(String(10), server_default="issued", index=True)
    file_name: Mapped[str | None] = mapped_column(String(80))
    digest: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("state IN ('prepared', 'issued')", name="state"),)


class PnPayment(Base):
    """One month of one award paid (``pay_key`` = award and month, unique)."""

    __tablename__ = "pn_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pay_key: Mapped[str] = mapped_column(String(40), unique=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("pn_awards.id"), index=True)
    # person, month and division are read only beside the award or the run (both indexed):
    # no index of their own — each index was a write per row of a 500,000-claimant roll
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    month: Mapped[str] = mapped_column(String(7))  # the month paid for
    division_code: Mapped[str] = mapped_column(String(6))
    amount: Mapped[int] = mapped_column(FEN)
    run_id: Mapped[int] = mapped_column(ForeignKey("pn_roll_runs.id"), index=True)

    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)


RECOVERY_STATES = ("opened", "notified", "write_off_proposed", "recovered", "written_off")


class PnDeathSettlement(Base):
    """The settlement of a claimant's (or an insured person's) death (死亡待遇结算), once per
    person: the award terminated, the overpayment, the funeral grant (丧葬补助金), the survivors'
    allowance (抚恤金) and the inheritable account balance, each as computed (``parts``, JSON,
    with the parameters read), and what was deducted from them for the recovery."""

    __tablename__ = "pn_death_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("pn_awards.id"), unique=True)
    scheme: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    died_on: Mapped[dt.date] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    overpaid: Mapped[int] = mapped_column(FEN, default=0)
    funeral_grant: Mapped[int] = mapped_column(FEN, default=0)
    survivors_allowance: Mapped[int] = mapped_column(FEN, default=0)
    inheritable_balance: Mapped[int] = mapped_column(FEN, default=0)
    deducted: Mapped[int] = mapped_column(FEN, default=0)  # offset against the overpayment
    parts: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("scheme", PENSION_SCHEMES), name="scheme"),
        CheckConstraint(
            "overpaid >= 0 AND funeral_grant >= 0 AND survivors_allowance >= 0"
            " AND inheritable_balance >= 0 AND deducted >= 0",
            name="amounts",
        ),
        CheckConstraint("deducted <= overpaid", name="deducted"),
    )


class PnRecovery(Base):
    """A recovery case (追回多发养老金) for the pension paid after a death: the amount owed, the
    part recovered so far (deductions from the survivors' allowance and inheritable balance,
    then heirs' repayments recorded by staff), its state on the case engine
    (``pensions.recovery``) and deadlines. ``open_key`` holds the award id while the case is
    open, so an award never has two open cases."""

    __tablename__ = "pn_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("pn_awards.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    state: Mapped[str] = mapped_column(String(20), default="opened", index=True)
    owed: Mapped[int] = mapped_column(FEN)
    recovered: Mapped[int] = mapped_column(FEN, default=0)
    written_off: Mapped[int] = mapped_column(FEN, default=0)
    died_on: Mapped[dt.date] = mapped_column(Date)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    notify_by: Mapped[dt.date] = mapped_column(Date)
    repay_by: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("state", RECOVERY_STATES), name="state"),
        CheckConstraint(
            "owed > 0 AND recovered >= 0 AND written_off >= 0 AND recovered + written_off <= owed",
            name="amounts",
        ),
    )


class PnRecoveryEvent(Base):
    """One step of a recovery case (the case engine's ``Event``), with the amount it moved."""

    __tablename__ = "pn_recovery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("pn_recoveries.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(FEN, default=0)
    source: Mapped[str | None] = mapped_column(String(24))  # survivors_allowance, heir, …
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(80), unique=True)  # case id : Idempotency-Key


# The stored transfers' tables live in their own module (this one is near its size limit).
from minsheng.pensions.transfer_models import PnTransfer as PnTransfer  # noqa: E402
from minsheng.pensions.transfer_models import PnTransferEvent as PnTransferEvent  # noqa: E402
