"""The settlement of an insured person's death (死亡待遇结算): the award terminated from the day
after (``certification.terminate``, which opens the recovery case of any pension paid after the
death month), the funeral grant (丧葬补助金), the survivors' allowance (抚恤金), the inheritable
individual-account balance, and the overpayment deducted from those first
(``pensions.death.recovery.order``), the rest owed by the heirs (``recovery``).

- Employee scheme (人社部发〔2021〕18号, for insured people in work or retired dying of illness
  or not at work): the funeral grant is ``pensions.death.employee.funeral_months`` × the month's
  base (``pensions.death.base_income_yearly`` ÷ 12: the region's urban disposable income per
  head of the year before the death); the survivors' allowance is the base × months by years
  contributed — ``survivors_min_months`` up to ``survivors_min_years`` years, then
  ``survivors_months_per_year`` more per year begun, at most ``survivors_max_months``.
- Resident scheme (国发〔2014〕8号 art. 7): the account balance is inherited — without the
  government subsidies where ``pensions.death.resident.inherit_subsidy`` is false (the 2009
  rule) —; a funeral grant only where ``pensions.death.resident.funeral_grant`` sets one.
- The inheritable balance (社会保险法 art. 14): the credited account balance less what the
  award's account part has paid out through the death month.

Rounding follows ``pensions.rounding``. Settling the same death twice answers the first
settlement; a death in the future, before the award's first month, or other than the
registry's is refused with nothing changed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import certification, recovery, rules
from minsheng.pensions.awards import award_of, first_day, month_of
from minsheng.pensions.enrolment import params, visible_person
from minsheng.pensions.models import (
    PnAccount,
    PnAward,
    PnContribution,
    PnDeathSettlement,
    PnEnrolment,
    PnPayment,
)
from minsheng.policy import load
from minsheng.policy.files import ValueInfo

ROOT = "pensions.death"


@dataclass(frozen=True)
class DeathSettlement:
    """What a death settles (fen). ``parts``: each amount with its formula and the parameters
    it read (path, value, start, reference); ``deducted``: the overpayment offset against each
    benefit, by source; the ``net_*`` amounts are what is paid to the heirs."""

    person_id: int
    scheme: str
    died_on: dt.date
    award_id: int | None
    terminated_on: dt.date | None
    overpaid: int
    recovery_id: int | None
    funeral_grant: int
    survivors_allowance: int
    inheritable_balance: int
    deducted: dict[str, int]
    parts: tuple[dict[str, Any], ...]

    @property
    def owed_by_heirs(self) -> int:
        return self.overpaid - sum(self.deducted.values())

    @property
    def net_survivors_allowance(self) -> int:
        return self.survivors_allowance - self.deducted.get("survivors_allowance", 0)

    @property
    def net_inheritable_balance(self) -> int:
        return self.inheritable_balance - self.deducted.get("inheritable_balance", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "scheme": self.scheme,
            "died_on": self.died_on.isoformat(),
            "award_id": self.award_id,
            "terminated_on": self.terminated_on.isoformat() if self.terminated_on else None,
            "overpaid": money.to_str(self.overpaid),
            "recovery_id": self.recovery_id,
            "funeral_grant": money.to_str(self.funeral_grant),
            "survivors_allowance": money.to_str(self.survivors_allowance),
            "inheritable_balance": money.to_str(self.inheritable_balance),
            "deducted": {k: money.to_str(v) for k, v in self.deducted.items()},
            "owed_by_heirs": money.to_str(self.owed_by_heirs),
            "net_survivors_allowance": money.to_str(self.net_survivors_allowance),
            "net_inheritable_balance": money.to_str(self.net_inheritable_balance),
            "parts": list(self.parts),
        }


def _error(field: str, rule: str, zh: str, en: str, bo: str) -> ConflictError:
    return ConflictError(field, rule, zh, en, bo=bo)


def _part(name: str, zh: str, amount: int, formula: str, infos: list[ValueInfo]) -> dict[str, Any]:
    return {
        "name": name,
        "zh": zh,
        "amount": money.to_str(amount),
        "amount_fen": amount,
        "formula": formula,
        "parameters": [i.to_dict() for i in infos],
    }


def _round(day: dt.date, division: str, exact: Fraction) -> tuple[int, list[ValueInfo]]:
    p = params(day, division)
    fen, paths = rules.round_fen(p, exact)
    return fen, [p.info(x) for x in paths]


def _scheme_of(session: Session, person_id: int, award: PnAward | None) -> tuple[str, str]:
    """The pension scheme and the county of the person's last pension enrolment."""
    if award is not None:
        return award.scheme, award.division_code
    e = session.scalar(
        select(PnEnrolment)
        .where(
            PnEnrolment.person_id == person_id,
            PnEnrolment.scheme.in_(("employee_pension", "resident_pension")),
        )
        .order_by(PnEnrolment.start_date.desc(), PnEnrolment.id.desc())
    )
    if e is None:
        raise NotFoundError(
            "person_id",
            "该人员未参加养老保险，无死亡待遇可结算",
            "the person is in no pension scheme: no death benefits to settle",
            bo="རྒན་གསོའི་འགན་ལེན་ལ་ཞུགས་མེད།",
        )
    return e.scheme, e.division_code


def survivors_months(
    least: Fraction, least_years: int, per_year: Fraction, most: Fraction, years: int
) -> Fraction:
    """The months of base the survivors' allowance pays (人社部发〔2021〕18号): ``least`` up to
    ``least_years`` years contributed, ``per_year`` more for each year beyond, at most
    ``most``."""
    return min(least + max(0, years - least_years) * per_year, most)


def _employee_benefits(
    session: Session, person_id: int, died_on: dt.date, division: str
) -> tuple[int, int, list[dict[str, Any]]]:
    snap = load().at(died_on, division)
    base = snap.info(f"{ROOT}.base_income_yearly")
    month_base = Fraction(int(base.value), 12)  # type: ignore[arg-type]
    fm = snap.info(f"{ROOT}.employee.funeral_months")
    funeral, rounding = _round(died_on, division, month_base * Fraction(fm.value))  # type: ignore[arg-type]
    months_paid = int(
        session.scalar(
            select(func.count(PnContribution.id)).where(
                PnContribution.person_id == person_id,
                PnContribution.scheme == "employee_pension",
                PnContribution.month.is_not(None),
            )
        )
        or 0
    )
    years = -(-months_paid // 12)  # a year begun counts as a year
    lo, lo_years, step, hi = (
        snap.info(f"{ROOT}.employee.{n}")
        for n in (
            "survivors_min_months",
            "survivors_min_years",
            "survivors_months_per_year",
            "survivors_max_months",
        )
    )
    n = survivors_months(
        Fraction(lo.value),  # type: ignore[arg-type]
        int(lo_years.value),  # type: ignore[arg-type]
        Fraction(step.value),  # type: ignore[arg-type]
        Fraction(hi.value),  # type: ignore[arg-type]
        years,
    )
    survivors, _ = _round(died_on, division, month_base * n)
    yuan = money.to_str(int(month_base.numerator // month_base.denominator))
    parts = [
        _part(
            "funeral_grant",
            "丧葬补助金",
            funeral,
            f"{money.to_str(int(base.value))} ÷ 12 ≈ {yuan} × {fm.value}",  # type: ignore[arg-type]
            [base, fm, *rounding],
        ),
        _part(
            "survivors_allowance",
            "抚恤金",
            survivors,
            f"{money.to_str(int(base.value))} ÷ 12 × {float(n):g} 个月"  # type: ignore[arg-type]
            f"（缴费{months_paid}个月计{years}年：{lo.value}个月起，超过{lo_years.value}年"
            f"每年加{step.value}个月，最多{hi.value}个月）",
            [base, lo, lo_years, step, hi, *rounding],
        ),
    ]
    return funeral, survivors, parts


def _balance(
    session: Session,
    person_id: int,
    scheme: str,
    award: PnAward | None,
    died_on: dt.date,
    division: str,
) -> tuple[int, list[dict[str, Any]]]:
    """The inheritable balance: the account less what the award's account part paid through
    the death month; residents' government subsidies off where the rule in force says so."""
    balance = int(
        session.scalar(
            select(PnAccount.balance).where(
                PnAccount.person_id == person_id, PnAccount.scheme == scheme
            )
        )
        or 0
    )
    paid_out = 0
    formula = f"账户余额 {money.to_str(balance)}"
    if award is not None:
        account_part = sum(
            int(x["amount"]) for x in json.loads(award.parts) if x["name"] == "account"
        )
        last = rules.month_text(rules.month_index(died_on.year, died_on.month))
        months = int(
            session.scalar(
                select(func.count(PnPayment.id)).where(
                    PnPayment.award_id == award.id, PnPayment.month <= last
                )
            )
            or 0
        )
        paid_out = account_part * months
        formula += f" − 个人账户养老金 {money.to_str(account_part)} × {months} 个月"
    left = max(0, balance - paid_out)
    infos: list[ValueInfo] = []
    if scheme == "resident_pension":
        rule = load().at(died_on, division).info(f"{ROOT}.resident.inherit_subsidy")
        infos.append(rule)
        if rule.value is False:
            subsidy = int(
                session.scalar(
                    select(func.coalesce(func.sum(PnContribution.subsidy), 0)).where(
                        PnContribution.person_id == person_id,
                        PnContribution.scheme == "resident_pension",
                    )
                )
                or 0
            )
            formula += f" − 政府补贴 {money.to_str(min(subsidy, left))}"
            left = max(0, left - subsidy)
    return left, [_part("inheritable_balance", "个人账户可继承余额", left, formula, infos)]


def _of_row(row: PnDeathSettlement) -> DeathSettlement:
    stored = json.loads(row.parts)
    return DeathSettlement(
        person_id=row.person_id,
        scheme=row.scheme,
        died_on=row.died_on,
        award_id=row.award_id,
        terminated_on=row.terminated_on,
        overpaid=row.overpaid,
        recovery_id=stored["recovery_id"],
        funeral_grant=row.funeral_grant,
        survivors_allowance=row.survivors_allowance,
        inheritable_balance=row.inheritable_balance,
        deducted={k: int(v) for k, v in stored["deducted"].items()},
        parts=tuple(stored["parts"]),
    )


def settlement_of(session: Session, person_id: int, by: Principal) -> DeathSettlement | None:
    """The person's death settlement, if one was made (region-scoped like the person)."""
    visible_person(session, person_id, by)
    row = session.scalar(select(PnDeathSettlement).where(PnDeathSettlement.person_id == person_id))
    return _of_row(row) if row is not None else None


def _check_day(
    session: Session, person_id: int, died_on: dt.date, award: PnAward | None, today: dt.date
) -> None:
    if died_on > today:
        raise invalid(
            "died_on",
            "future",
            "死亡日期不能晚于今天",
            "the date of death cannot be in the future",
            "འདས་པའི་ཚེས་གྲངས་མ་འོངས་པ་ཡིན་མི་རུང་།",
        )
    if award is not None and died_on < first_day(month_of(award.start_month)):
        raise invalid(
            "died_on",
            "before_award",
            f"死亡日期早于待遇起始月{award.start_month}，请核实",
            f"the date of death is before the award's first month {award.start_month}",
            "འདས་པའི་ཚེས་གྲངས་ཐོབ་ཐང་འགོ་མ་ཚུགས་གོང་ཡིན།",
        )
    ended = award is not None and award.state == "terminated"
    if ended and award is not None and award.terminated_on != died_on + dt.timedelta(days=1):
        raise _error(
            "died_on",
            "terminated_otherwise",
            f"待遇已于{award.terminated_on}终止，与死亡日期不符",
            f"the award was terminated from {award.terminated_on}, not after this death",
            "ཐོབ་ཐང་གཞན་ཞིག་ནས་མཇུག་སྒྲིལ་ཟིན།",
        )


def settle_death(
    session: Session,
    person_id: int,
    died_on: dt.date,
    by: Principal,
    today: dt.date | None = None,
) -> DeathSettlement:
    """Settle the death of ``person_id`` on ``died_on`` (see the module docstring), in the
    caller's transaction."""
    today = today or dt.date.today()
    person = visible_person(session, person_id, by)
    # two settlements of one death at once (a retried form, the API and a home visit) are
    # taken one after the other: the second finds the first's row and answers it
    session.refresh(person, with_for_update=True)
    row = session.scalar(select(PnDeathSettlement).where(PnDeathSettlement.person_id == person_id))
    if row is not None:
        if row.died_on != died_on:
            raise _error(
                "died_on",
                "already_settled",
                f"已按死亡日期{row.died_on}结算",
                f"the death was already settled as of {row.died_on}",
                "འདས་པའི་རྩིས་སྔོན་ནས་བྱས་ཟིན།",
            )
        return _of_row(row)
    if person.death_date is not None and person.death_date != died_on:
        raise _error(
            "died_on",
            "registry_differs",
            f"户籍登记的死亡日期为{person.death_date}",
            f"the registry records the death on {person.death_date}",
            "ཐོ་འགོད་ཀྱི་འདས་ཚེས་མི་མཐུན།",
        )
    award = award_of(session, person.id)
    _check_day(session, person.id, died_on, award, today)
    scheme, division = _scheme_of(session, person.id, award)
    if award is not None and award.state != "terminated":
        certification.terminate(session, award, died_on, by, today)
    overpaid = award.overpaid if award is not None else 0
    if scheme == "employee_pension":
        funeral, survivors, parts = _employee_benefits(session, person.id, died_on, division)
    else:
        info = load().at(died_on, division).info(f"{ROOT}.resident.funeral_grant")
        funeral, survivors = int(info.value), 0  # type: ignore[arg-type]
        parts = [_part("funeral_grant", "丧葬补助", funeral, money.to_str(funeral), [info])]
    inheritable, balance_parts = _balance(session, person.id, scheme, award, died_on, division)
    parts += balance_parts
    rec = recovery.open_case_for(session, award.id) if award is not None else None
    deducted: dict[str, int] = {}
    if rec is not None:
        order = load().at(died_on, division).info(f"{ROOT}.recovery.order")
        available = {"survivors_allowance": survivors, "inheritable_balance": inheritable}
        for source in str(order.value).split():
            take = min(available.get(source, 0), recovery.outstanding(rec))
            if take > 0:
                recovery.deduct(session, rec, take, source, by, today)
                deducted[source] = take
        parts.append(
            _part(
                "recovery",
                "多发待遇抵扣",
                sum(deducted.values()),
                f"多发 {money.to_str(overpaid)} 依次从 {order.value} 中抵扣",
                [order],
            )
        )
    result = DeathSettlement(
        person_id=person.id,
        scheme=scheme,
        died_on=died_on,
        award_id=award.id if award is not None else None,
        terminated_on=award.terminated_on if award is not None else None,
        overpaid=overpaid,
        recovery_id=rec.id if rec is not None else None,
        funeral_grant=funeral,
        survivors_allowance=survivors,
        inheritable_balance=inheritable,
        deducted=deducted,
        parts=tuple(parts),
    )
    stored = {"recovery_id": result.recovery_id, "deducted": deducted, "parts": parts}
    saved = PnDeathSettlement(
        person_id=person.id,
        award_id=result.award_id,
        scheme=scheme,
        division_code=division,
        died_on=died_on,
        terminated_on=result.terminated_on,
        overpaid=overpaid,
        funeral_grant=funeral,
        survivors_allowance=survivors,
        inheritable_balance=inheritable,
        deducted=sum(deducted.values()),
        parts=json.dumps(stored, ensure_ascii=False, sort_keys=True),
        by=by.actor,
    )
    session.add(saved)
    session.flush()
    summary = {
        k: v
        for k, v in result.to_dict().items()
        if k not in ("parts", "person_id")  # no identity beyond the record id
    }
    audit.record(session, by, "settle_death", "pn_death_settlement", saved.id, division, summary)
    return result
