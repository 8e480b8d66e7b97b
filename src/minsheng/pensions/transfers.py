"""Transfers (转移接续), pure: what moves with an employee pension relationship between regions,
where the pension is finally claimed, the temporary contribution account, the 15-working-day
steps with their deadlines, and linking the resident and employee schemes.

- 国办发〔2009〕66号 (城镇企业职工基本养老保险关系转移接续暂行办法): art. 4 — the whole
  individual account moves, and the pooled part: ``pooled_share`` (12 %) of the actual
  contribution wages of every month since January ``pooled_from_year`` (1998) held at the
  place transferring out; art. 6 — a man aged ``temporary_account_age_male`` (50) or more, a
  woman aged ``temporary_account_age_female`` (40) or more, moving to a place that is not
  their 户籍地, keeps the relationship where it is and gets a temporary account at the new
  place; art. 6 also fixes the claim place (:func:`claim_place`); art. 8 — the steps, each
  within ``step_working_days`` (15) working days (``core.calendar``).
- 人社部发〔2014〕17号 (城乡养老保险制度衔接暂行办法): with at least ``link_employee_years`` (15)
  employee years the resident account moves into the employee scheme (art. 5: the resident
  years are not counted as employee years); with fewer, the employee account moves into the
  resident scheme and the employee years are added to the resident years (art. 6); only
  accounts move, never the pooled fund. Steps of ``link_step_working_days`` (art. 8).

Input is the JSON of ``minsheng pensions transfer FILE`` (docs/pensions.md, "Transfers"):
:func:`parse` checks it (errors name the field), :func:`transfer` computes. Money is integer
fen; the pooled part is exact and rounded once, half up, to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from minsheng.core import calendar, money
from minsheng.core.errors import invalid
from minsheng.pensions import rules
from minsheng.pensions.rules import PensionParams, month_index, month_text

T = "pensions.employee.transfer"
KINDS = ("employee", "link")
MAX_PERIODS = 200  # an engineering bound on the periods of one history
MAX_PLACE = 40  # characters of a place (a division code or a name)


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Period:
    """Months ``start``..``end`` (month indexes, inclusive) paid at ``place`` at a monthly
    contribution wage (fen), held now at ``held`` (where the relationship and funds are)."""

    place: str
    start: int
    end: int
    monthly_wage: int
    held: str

    @property
    def months(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Request:
    kind: str
    applied: dt.date
    sex: str
    birth: int  # month index
    category: str
    events: dict[str, dt.date]
    # employee transfers
    hukou: str = ""
    source: str = ""
    target: str = ""
    account: int = 0
    history: tuple[Period, ...] = ()
    # linking the schemes
    employee_months: int = 0
    employee_account: int = 0
    resident_years: int = 0
    resident_account: int = 0


def _month(raw: Any, name: str) -> int:
    if not isinstance(raw, str) or len(raw) != 7 or raw[4] != "-":
        raise invalid(name, "month", f"{name}应为YYYY-MM", f"{name} must be YYYY-MM")
    try:
        year, month = int(raw[:4]), int(raw[5:])
    except ValueError:
        year, month = 0, 0
    if year < 1900 or not 1 <= month <= 12:
        raise invalid(name, "month", f"{name}应为YYYY-MM", f"{name} must be YYYY-MM")
    return month_index(year, month)


def _date(raw: Any, name: str) -> dt.date:
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise invalid(name, "date", f"{name}应为YYYY-MM-DD", f"{name} must be YYYY-MM-DD")


def _place(raw: Any, name: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_PLACE:
        raise invalid(
            name,
            "place",
            f"{name}应为地区代码或名称（1—{MAX_PLACE}字）",
            f"{name} must be a division code or name (1–{MAX_PLACE} characters)",
            f"{name} ས་ཁུལ་གྱི་ཨང་རྟགས་སམ་མིང་།",
        )
    return raw.strip()


def _amount(raw: Any, name: str, maximum: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, str | int):  # never a float
        raise invalid(
            name, "amount", f"{name}应为以元为单位的金额字符串", f"{name}: a decimal string in yuan"
        )
    fen = money.parse(raw, name)
    if fen < 0:
        raise invalid(name, "negative", f"{name}不能为负数", f"{name} cannot be negative")
    return money.bounded(fen, name, maximum)


def _count(raw: Any, name: str, most: int) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= most:
        raise invalid(name, "range", f"{name}应为0—{most}的整数", f"{name} must be 0–{most}")
    return raw


def parse(data: Any) -> Request:
    """A transfer request from its JSON (docs/pensions.md); a clear error naming the field."""
    if not isinstance(data, dict):
        raise invalid("file", "object", "文件应为JSON对象", "the file must be a JSON object")
    kind = data.get("kind")
    if kind not in KINDS:
        raise invalid("kind", "kind", "kind应为employee或link", "kind must be employee or link")
    applied = _date(data.get("applied"), "applied")
    sex = data.get("sex")
    category = data.get("category", "worker")
    rules.group_of(sex if isinstance(sex, str) else "", str(category))  # errors name the field
    birth = _month(data.get("birth"), "birth")
    if birth > month_index(applied.year, applied.month):
        raise invalid("birth", "future", "出生月份不能晚于申请日", "birth is after the application")
    raw_events = data.get("events") or {}
    if not isinstance(raw_events, dict) or set(raw_events) - set(EVENTS):
        raise invalid(
            "events", "events", f"events只能含{', '.join(EVENTS)}", f"events: {', '.join(EVENTS)}"
        )
    events = {k: _date(v, f"events.{k}") for k, v in raw_events.items()}
    common = {"kind": kind, "applied": applied, "sex": sex, "birth": birth}
    if kind == "link":
        return Request(
            **common,
            category=str(category),
            events=events,
            employee_months=_count(
                data.get("employee_months"), "employee_months", rules.MAX_MONTHS
            ),
            employee_account=_amount(
                data.get("employee_account", 0), "employee_account", rules.MAX_ACCOUNT_FEN
            ),
            resident_years=_count(data.get("resident_years"), "resident_years", 80),
            resident_account=_amount(
                data.get("resident_account", 0), "resident_account", rules.MAX_ACCOUNT_FEN
            ),
        )
    hukou = _place(data.get("hukou"), "hukou")
    source, target = _place(data.get("from"), "from"), _place(data.get("to"), "to")
    if source == target:
        raise invalid("to", "same_place", "转入地与转出地相同", "to is the same place as from")
    raw = data.get("history")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_PERIODS:
        raise invalid(
            "history",
            "periods",
            f"history应为1—{MAX_PERIODS}段",
            f"history: 1–{MAX_PERIODS} periods",
        )
    periods: list[Period] = []
    last = -1
    now = month_index(applied.year, applied.month)
    for i, row in enumerate(raw):
        f = f"history[{i}]"
        if not isinstance(row, dict):
            raise invalid(f, "object", f"{f}应为对象", f"{f} must be an object")
        place = _place(row.get("place"), f"{f}.place")
        start, end = _month(row.get("from"), f"{f}.from"), _month(row.get("to"), f"{f}.to")
        if start > end or start <= last or end > now:
            raise invalid(
                f"{f}.to",
                "order",
                f"{f}的月份应递增、不重叠且不晚于申请月",
                f"{f}: months in order, not overlapping, not after the application",
            )
        last = end
        wage = _amount(row.get("monthly_wage"), f"{f}.monthly_wage", money.MAX_INCOME_FEN)
        held = _place(row.get("held", place), f"{f}.held")
        periods.append(Period(place, start, end, wage, held))
    account = _amount(data.get("account_balance"), "account_balance", rules.MAX_ACCOUNT_FEN)
    return Request(
        **common,
        category=str(category),
        events=events,
        hukou=hukou,
        source=source,
        target=target,
        account=account,
        history=tuple(periods),
    )


# --------------------------------------------------------------------------- rules


def age_months(birth: int, on: dt.date) -> int:
    """Age in whole months on a day (reached in the birth month)."""
    return month_index(on.year, on.month) - birth


def temporary_account(p: PensionParams, sex: str, age: int, target: str, hukou: str) -> bool:
    """66号 art. 6: 男50、女40 or older moving outside the 户籍地 → a temporary account there."""
    limit = p.int_(f"{T}.temporary_account_age_{'male' if sex == 'male' else 'female'}")
    return target != hukou and age >= limit * 12


def pooled(p: PensionParams, history: tuple[Period, ...], held: str) -> tuple[int, int, int]:
    """The pooled part that moves from ``held``: ``pooled_share`` × the contribution wages of
    the months since January ``pooled_from_year`` held there. Returns (fen, months, wages)."""
    first = month_index(p.int_(f"{T}.pooled_from_year"), 1)
    months = wages = 0
    for x in history:
        if x.held != held or x.end < first:
            continue
        n = x.end - max(x.start, first) + 1
        months += n
        wages += n * x.monthly_wage
    exact = wages * p.ratio(f"{T}.pooled_share")
    return (exact.numerator * 2 + exact.denominator) // (2 * exact.denominator), months, wages


def claim_place(
    p: PensionParams, hukou: str, relationship: str, history: tuple[Period, ...]
) -> tuple[str, str, dict[str, int]]:
    """Where the pension is finally claimed (66号 art. 6), the rule that decided, and the
    months paid by place: the 户籍地 if the relationship is there; else the relationship's
    place if ≥ ``claim_years`` were paid there; else the last place with ≥ ``claim_years``;
    else the 户籍地 (the relationship and funds are gathered there)."""
    months: dict[str, int] = {}
    last_end: dict[str, int] = {}
    for x in history:
        months[x.place] = months.get(x.place, 0) + x.months
        last_end[x.place] = max(last_end.get(x.place, -1), x.end)
    need = p.int_(f"{T}.claim_years") * 12
    if relationship == hukou:
        return hukou, "hukou", months
    if months.get(relationship, 0) >= need:
        return relationship, "relationship_years", months
    earlier = [k for k, m in months.items() if m >= need and k != relationship]
    if earlier:
        return max(earlier, key=lambda k: last_end[k]), "last_place_with_years", months
    return hukou, "hukou_gathered", months


EVENTS = ("letter_sent", "funds_sent", "funds_received")
STEPS = (
    # (name, zh, the event that ends the step)
    ("acceptance_letter", "转入地审核申请并发出同意接收函（联系函）", "letter_sent"),
    ("transfer_out", "转出地办理转移，转出关系和资金", "funds_sent"),
    ("completion", "转入地收到关系和资金后办结并告知", None),
)


def steps(p: PensionParams, path: str, applied: dt.date, events: dict[str, dt.date]) -> list[Any]:
    """The steps and their deadlines: each ``days`` working days after the one before it
    ended — the actual date of that event when given, else its deadline. The completion
    step starts when the funds are received (``funds_received``, else the transfer-out
    deadline)."""
    days = p.int_(path)
    out: list[dict[str, Any]] = [
        {"step": "application", "zh": "参保人或单位在转入地提出申请", "date": applied.isoformat()}
    ]
    start = applied
    for name, zh, ends in STEPS:
        if name == "completion":
            start = events.get("funds_received", start)
        deadline = calendar.add_working_days(start, days)
        done = events.get(ends) if ends else None
        row: dict[str, Any] = {
            "step": name,
            "zh": zh,
            "working_days": days,
            "from": start.isoformat(),
            "deadline": deadline.isoformat(),
        }
        if done is not None:
            if done < start:
                raise invalid(
                    f"events.{ends}", "order", "事件日期早于上一环节", "an event before its step"
                )
            row["done"] = done.isoformat()
            row["late"] = done > deadline
        out.append(row)
        start = done if done is not None else deadline
    return out


def _used(p: PensionParams, paths: list[str]) -> list[dict[str, Any]]:
    return [p.info(x).to_dict() for x in dict.fromkeys(paths)]


def transfer(p: PensionParams, r: Request) -> dict[str, Any]:
    """The amounts, the claim place and the deadlines of one transfer (amounts in yuan text)."""
    age = age_months(r.birth, r.applied)
    if r.kind == "link":
        return _link(p, r, age)
    temporary = temporary_account(p, r.sex, age, r.target, r.hukou)
    relationship = r.source if temporary else r.target
    fen, months, wages = pooled(p, r.history, r.source)
    moved = {r.source: relationship}  # what was held at the source is held where it went
    after = tuple(
        Period(x.place, x.start, x.end, x.monthly_wage, moved.get(x.held, x.held))
        for x in r.history
    )
    place, rule, by_place = claim_place(p, r.hukou, relationship, after)
    sex = "male" if r.sex == "male" else "female"
    return {
        "kind": "employee",
        "age": {"years": age // 12, "months": age % 12},
        "temporary_account": temporary,
        "relationship_moves": not temporary,
        "relationship_place": relationship,
        "amounts": {
            "account": money.to_str(r.account),
            "pooled": money.to_str(fen),
            "total": money.to_str(r.account + fen),
            "pooled_months": months,
            "pooled_wages": money.to_str(wages),
            "pooled_from": month_text(month_index(p.int_(f"{T}.pooled_from_year"), 1)),
        },
        "claim_place": {
            "place": place,
            "rule": rule,
            "months_by_place": by_place,
        },
        "steps": steps(p, f"{T}.step_working_days", r.applied, r.events),
        "parameters": _used(
            p,
            [
                f"{T}.pooled_share",
                f"{T}.pooled_from_year",
                f"{T}.temporary_account_age_{sex}",
                f"{T}.claim_years",
                f"{T}.step_working_days",
            ],
        ),
    }


def _link(p: PensionParams, r: Request, age: int) -> dict[str, Any]:
    """人社部发〔2014〕17号: which way the accounts move, once the statutory age is reached."""
    ret = rules.retirement(p, r.birth, r.sex, r.category)
    if month_index(r.applied.year, r.applied.month) < ret.retirement_index:
        raise invalid(
            "applied",
            "before_retirement",
            f"城乡衔接在达到法定退休年龄（{month_text(ret.retirement_index)}）后办理",
            f"the schemes are linked from the statutory retirement month "
            f"({month_text(ret.retirement_index)})",
        )
    need = p.int_(f"{T}.link_employee_years") * 12
    into_employee = r.employee_months >= need
    if into_employee:
        moved, direction = r.resident_account, "resident_to_employee"
        scheme = {
            "scheme": "employee",
            "account": money.to_str(r.employee_account + r.resident_account),
            "employee_months": r.employee_months,  # art. 5: resident years not counted
        }
    else:
        moved, direction = r.employee_account, "employee_to_resident"
        scheme = {
            "scheme": "resident",
            "account": money.to_str(r.employee_account + r.resident_account),
            # art. 6: employee years merged into the resident years
            "resident_months": r.resident_years * 12 + r.employee_months,
        }
    return {
        "kind": "link",
        "age": {"years": age // 12, "months": age % 12},
        "retirement_date": month_text(ret.retirement_index),
        "direction": direction,
        "amounts": {"account": money.to_str(moved), "pooled": "0.00", "total": money.to_str(moved)},
        "after": scheme,
        "steps": steps(p, f"{T}.link_step_working_days", r.applied, r.events),
        "parameters": _used(p, [f"{T}.link_employee_years", f"{T}.link_step_working_days"]),
    }
